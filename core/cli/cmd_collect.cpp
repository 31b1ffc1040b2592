// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

#include "engine/discovery.hpp"
#include "util/logging.hpp"
#include "util/terminal_text.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace offload::cli {

void add_collect_options(po::options_description& desc) {
  desc.add_options()("format,f", po::value<std::string>()->default_value("text"), "text or json");
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
  const auto& groups = ctx->config.groups;
  auto tests = engine::discover(*ctx->framework, groups,
                                static_cast<std::size_t>(ctx->config.offload.max_parallel_collection),
                                process::CancelToken(),
                                static_cast<double>(ctx->config.offload.discovery_timeout_secs));
  if (!tests) {
    util::report_error(tests.error().message);
    return k_exit_failed;
  }
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : *tests) {
      nlohmann::json rec{{"id", t.id}, {"group", groups[t.group].name}, {"retry_count", groups[t.group].retry_count}};
      rec["file"] = t.file ? nlohmann::json(*t.file) : nlohmann::json(nullptr);
      out.push_back(std::move(rec));
    }
    std::cout << out.dump(2) << "\n";
    return k_exit_ok;
  }
  std::printf("Discovered %zu tests across %zu groups:\n", tests->size(), groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::printf("\nGroup '%s':\n", groups[g].name.c_str());
    for (const auto& t : *tests) {
      if (t.group == g) {
        std::printf("  %s\n", util::terminal_text(t.id).c_str());
      }
    }
  }
  return k_exit_ok;
}

} // namespace offload::cli
