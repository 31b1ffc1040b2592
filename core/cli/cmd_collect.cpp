// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

#include "engine/pipeline.hpp"
#include "util/logging.hpp"
#include "util/terminal_text.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace offload::cli {

void add_collect_options(po::options_description& desc) {
  desc.add_options()
      ("format,f", po::value<std::string>()->default_value("text"), "text or json")
      ("no-tests", po::value<std::string>()->default_value("fail"),
       "when a group selects no tests: fail (the default), warn, or pass");
}

void print_collection(const std::vector<TestCase>& tests, const std::vector<config::Group>& groups) {
  std::printf("Discovered %zu tests across %zu groups:\n", tests.size(), groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::printf("\nGroup '%s':\n", groups[g].name.c_str());
    for (const auto& t : tests) {
      if (t.group == g) {
        std::printf("  %s\n", util::terminal_text(t.id).c_str());
      }
    }
  }
}

int cmd_collect(const GlobalOptions& global, const po::variables_map& vm) {
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    util::report_error("collect --format '" + format + "': expected 'text' or 'json'");
    return k_exit_failed;
  }
  auto ctx = load_context(global);
  if (!ctx) {
    util::report_error(ctx.error().message);
    return k_exit_failed;
  }
  const std::string no_tests = vm["no-tests"].as<std::string>();
  if (no_tests != "fail" && no_tests != "warn" && no_tests != "pass") {
    util::report_error("collect --no-tests '" + no_tests + "': expected 'fail', 'warn' or 'pass'");
    return k_exit_failed;
  }
  const auto& groups = ctx->config.groups;
  const auto rule = no_tests == "fail" ? engine::NoTests::Fail
                    : no_tests == "warn" ? engine::NoTests::Warn
                                         : engine::NoTests::Pass;
  auto tests = engine::collect(ctx->config, *ctx->framework, rule, process::CancelToken());
  if (!tests) {
    util::report_error(tests.error().message);
    return k_exit_failed;
  }
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : *tests) {
      nlohmann::json rec{{"id", t.id}, {"group", groups[t.group].name}, {"retry_count", groups[t.group].retry_count}};
      rec["file"] = t.file ? nlohmann::json(*t.file) : nlohmann::json(nullptr);
      if (!t.name.empty()) {
        rec["classname"] = t.classname;
        rec["name"] = t.name;
      }
      out.push_back(std::move(rec));
    }
    std::cout << out.dump(2) << "\n";
    return k_exit_ok;
  }
  print_collection(*tests, groups);
  return k_exit_ok;
}

} // namespace offload::cli
