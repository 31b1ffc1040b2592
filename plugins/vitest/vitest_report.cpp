// SPDX-License-Identifier: MIT
#include "vitest_report.hpp"

#include "junit_xml.hpp"

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>
#include <tinyxml2.h>

#include <set>

namespace offload::plugins {
namespace {

constexpr std::string_view k_marker = "#offload-vitest-wanted ";

std::string attribute(const tinyxml2::XMLElement* element, const char* name) {
  const char* value = element->Attribute(name);
  return value != nullptr ? value : "";
}

std::string text_of(const tinyxml2::XMLElement* element) {
  const char* text = element->GetText();
  return text != nullptr ? text : "";
}

JUnitResult result_of(const tinyxml2::XMLElement* testcase) {
  JUnitResult result;
  result.classname = attribute(testcase, "classname");
  result.name = attribute(testcase, "name");
  double secs = 0.0;
  if (testcase->QueryDoubleAttribute("time", &secs) == tinyxml2::XML_SUCCESS) {
    result.time_secs = secs;
  }
  const tinyxml2::XMLElement* failure = testcase->FirstChildElement("failure");
  if (failure == nullptr) {
    failure = testcase->FirstChildElement("error");
  }
  if (failure != nullptr) {
    result.outcome = JUnitResult::Outcome::Failed;
    result.details = text_of(failure);
    const std::string message = attribute(failure, "message");
    result.message = message.empty() ? first_line(result.details) : first_line(message);
    if (result.message.empty()) {
      result.message = "test failed";
    }
  } else if (const tinyxml2::XMLElement* skipped = testcase->FirstChildElement("skipped"); skipped != nullptr) {
    result.outcome = JUnitResult::Outcome::Skipped;
    const std::string message = attribute(skipped, "message");
    result.message = message.empty() ? "skipped" : message;
  }
  return result;
}

} // namespace

std::string wanted_marker(const std::vector<std::string>& ids) {
  return std::string(k_marker) + nlohmann::json(ids).dump();
}

std::vector<JUnitSuite> read_vitest_junit(std::string_view data) {
  std::vector<JUnitSuite> suites;
  if (data.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return suites;
  }
  const std::string xml = valid_utf8(data);
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS || doc.RootElement() == nullptr) {
    throw sdk::Failure(OFFLOAD_EIO, std::string("vitest's JUnit report is not XML: ") +
                                        (doc.ErrorStr() != nullptr ? doc.ErrorStr() : "empty"));
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  const bool single = std::string_view(root->Name()) == "testsuite";
  for (const tinyxml2::XMLElement* suite = single ? root : root->FirstChildElement("testsuite"); suite != nullptr;
       suite = single ? nullptr : suite->NextSiblingElement("testsuite")) {
    JUnitSuite out{attribute(suite, "name"), {}};
    for (const tinyxml2::XMLElement* testcase = suite->FirstChildElement("testcase"); testcase != nullptr;
         testcase = testcase->NextSiblingElement("testcase")) {
      out.results.push_back(result_of(testcase));
    }
    suites.push_back(std::move(out));
  }
  return suites;
}

std::string convert_vitest_report(std::string_view data) {
  std::set<std::string> wanted;
  if (data.starts_with(k_marker)) {
    const std::size_t end = data.find('\n');
    const nlohmann::json ids =
        nlohmann::json::parse(data.substr(k_marker.size(), end - k_marker.size()), nullptr, false);
    for (const auto& id : ids.is_array() ? ids : nlohmann::json::array()) {
      if (id.is_string()) {
        wanted.insert(id.get<std::string>());
      }
    }
    data.remove_prefix(end == std::string_view::npos ? data.size() : end + 1);
  }
  // An empty file (vitest wrote nothing) has no results: every test is missing.
  std::vector<JUnitSuite> suites = read_vitest_junit(data);
  for (JUnitSuite& suite : suites) {
    std::erase_if(suite.results, [&](const JUnitResult& result) {
      return !wanted.contains(result.classname + std::string(k_vitest_separator) + result.name);
    });
  }
  return junit_document(suites);
}

std::string name_pattern(std::string_view name) {
  constexpr std::string_view special = "\\^$.*+?()[]{}|/-";
  std::string pattern;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name.substr(i).starts_with(k_vitest_separator)) {
      pattern += ' ';
      i += k_vitest_separator.size() - 1;
      continue;
    }
    if (special.find(name[i]) != std::string_view::npos) {
      pattern += '\\';
    }
    pattern += name[i];
  }
  return pattern;
}

} // namespace offload::plugins
