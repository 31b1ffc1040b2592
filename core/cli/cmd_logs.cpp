// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

#include "engine/history.hpp"
#include "util/logging.hpp"

#include <tinyxml2.h>

#include <algorithm>
#include <string_view>

namespace offload::cli {
namespace {

struct Shown {
  std::string id;
  std::string status;
  std::string body;
};

std::string text_of(const tinyxml2::XMLElement* e) {
  return e != nullptr && e->GetText() != nullptr ? e->GetText() : "";
}

const char* attribute(const tinyxml2::XMLElement* e, const char* name) {
  const char* value = e->Attribute(name);
  return value != nullptr ? value : "";
}

// A testcase of offload's own junit.xml, as a person wants to read it. A
// testcase is named as its framework names it; the history maps that back
// to the test's ID.
Shown describe(const tinyxml2::XMLElement* tc, const engine::History& history) {
  const char* name = attribute(tc, "name");
  Shown s{history.id_of(attribute(tc, "group"), attribute(tc, "classname"), name).value_or(name), "PASSED", ""};
  std::size_t attempt = 0;
  for (const auto* child = tc->FirstChildElement(); child != nullptr; child = child->NextSiblingElement()) {
    const std::string_view tag = child->Name();
    const char* message = child->Attribute("message");
    const std::string head = message != nullptr ? std::string(message) + "\n" : "";
    if (tag == "failure" || tag == "error") {
      const char* type = child->Attribute("type");
      s.status = type != nullptr && std::string_view(type) == "not-run" ? "NOT RUN" : "FAILED";
      s.body += "--- final attempt (" + std::string(type != nullptr ? type : tag) + ") ---\n" + head + text_of(child) + "\n";
    } else if (tag == "flakyFailure" || tag == "flakyError" || tag == "rerunFailure" || tag == "rerunError") {
      if (tag.starts_with("flaky")) {
        s.status = "FLAKY";
      }
      s.body += "--- failed attempt " + std::to_string(++attempt) + " ---\n" + head +
                text_of(child->FirstChildElement("stackTrace")) + "\n";
      if (const auto* out = child->FirstChildElement("system-out")) {
        s.body += "[stdout]\n" + text_of(out) + "\n";
      }
    } else if (tag == "skipped") {
      s.status = "SKIPPED";
      s.body += head;
    } else if (tag == "system-out") {
      s.body += "[stdout]\n" + text_of(child) + "\n";
    } else if (tag == "system-err") {
      s.body += "[stderr]\n" + text_of(child) + "\n";
    }
  }
  return s;
}

} // namespace

void add_logs_options(po::options_description& desc) {
  desc.add_options()
      ("failures", "only tests that failed, were flaky or did not run")
      ("test", po::value<std::vector<std::string>>()->composing(), "only this test ID (repeatable)");
}

int cmd_logs(const GlobalOptions& global, const po::variables_map& vm) {
  auto cfg = config::load(global.config_path);
  if (!cfg) {
    util::report_error(cfg.error().message);
    return k_exit_failed;
  }
  const std::string path = cfg->report.output_dir + "/" + cfg->report.junit_file;
  tinyxml2::XMLDocument doc;
  if (doc.LoadFile(path.c_str()) != tinyxml2::XML_SUCCESS) {
    util::report_error("no test results at " + path + " (" + doc.ErrorStr() + "); run `offload run` first");
    return k_exit_failed;
  }
  const bool failures_only = vm.count("failures") > 0;
  const auto wanted = vm.count("test") ? vm["test"].as<std::vector<std::string>>() : std::vector<std::string>{};
  const engine::History history = engine::History::load(cfg->report.output_dir, {});
  std::vector<Shown> shown;
  const auto* root = doc.RootElement();
  for (const auto* suite = root->FirstChildElement("testsuite"); suite != nullptr;
       suite = suite->NextSiblingElement("testsuite")) {
    for (const auto* tc = suite->FirstChildElement("testcase"); tc != nullptr; tc = tc->NextSiblingElement("testcase")) {
      Shown s = describe(tc, history);
      if (failures_only && s.status == "PASSED") {
        continue;
      }
      if (failures_only && s.status == "SKIPPED") {
        continue;
      }
      if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), s.id) == wanted.end()) {
        continue;
      }
      shown.push_back(std::move(s));
    }
  }
  std::sort(shown.begin(), shown.end(), [](const Shown& a, const Shown& b) { return a.id < b.id; });
  for (const auto& s : shown) {
    std::printf("=== %s [%s] ===\n%s\n", s.id.c_str(), s.status.c_str(), s.body.c_str());
  }
  if (shown.empty()) {
    std::fprintf(stderr, "offload: no matching test results in %s\n", path.c_str());
  }
  return k_exit_ok;
}

} // namespace offload::cli
