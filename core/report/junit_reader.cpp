// SPDX-License-Identifier: MIT
#include "report/junit.hpp"

#include <tinyxml2.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace offload::report {

namespace {

using tinyxml2::XMLElement;

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

/// All character data directly inside `element` (CDATA sections included),
/// even when comments split it into several nodes.
std::string element_text(const XMLElement& element) {
  std::string text;
  for (auto* node = element.FirstChild(); node != nullptr; node = node->NextSibling()) {
    if (const auto* piece = node->ToText()) {
      text += piece->Value();
    }
  }
  return text;
}

std::string attribute(const XMLElement& element, const char* name) {
  const char* value = element.Attribute(name);
  return value != nullptr ? value : "";
}

/// Seconds from a time attribute. Surefire allows thousands separators
/// ("1,234.5"); anything unparsable, negative or not finite counts as 0.
double parse_time(const char* value) {
  if (value == nullptr) {
    return 0.0;
  }
  std::string digits;
  for (const char* c = value; *c != '\0'; ++c) {
    if (*c != ',') {
      digits += *c;
    }
  }
  const auto start = digits.find_first_not_of(" \t\r\n");
  const auto end = digits.find_last_not_of(" \t\r\n");
  if (start == std::string::npos) {
    return 0.0;
  }
  digits = digits.substr(start, end - start + 1);
  char* parsed_end = nullptr;
  const double secs = std::strtod(digits.c_str(), &parsed_end);
  if (parsed_end != digits.c_str() + digits.size() || !std::isfinite(secs) || secs < 0.0) {
    return 0.0;
  }
  return secs;
}

JUnitCase parse_case(const XMLElement& testcase) {
  JUnitCase result;
  result.name = attribute(testcase, "name");
  result.classname = attribute(testcase, "classname");
  result.time_secs = parse_time(testcase.Attribute("time"));

  const XMLElement* outcome = nullptr;
  const XMLElement* skipped = nullptr;
  for (auto* child = testcase.FirstChildElement(); child != nullptr;
       child = child->NextSiblingElement()) {
    const std::string_view tag = child->Name();
    if ((tag == "failure" || tag == "error") && outcome == nullptr) {
      outcome = child;
    } else if (tag == "skipped" && skipped == nullptr) {
      skipped = child;
    } else if (tag == "system-out") {
      result.system_out += element_text(*child);
    } else if (tag == "system-err") {
      result.system_err += element_text(*child);
    }
  }
  // A test that failed and was also marked skipped (e.g. an xfail that
  // errored in teardown) did not pass: the failure wins.
  if (outcome == nullptr) {
    outcome = skipped;
  }
  if (outcome != nullptr) {
    const std::string_view tag = outcome->Name();
    result.kind = tag == "failure" ? JUnitCase::Kind::Failed
                  : tag == "error" ? JUnitCase::Kind::Error
                                   : JUnitCase::Kind::Skipped;
    result.message = attribute(*outcome, "message");
    result.details = element_text(*outcome);
  }
  return result;
}

/// The testcases under `parent`, a <testsuites> or <testsuite>; only a
/// <testsuite> holds testcases of its own. tinyxml2 refuses documents nested
/// deeper than TINYXML2_MAX_ELEMENT_DEPTH, so the recursion is bounded.
void collect_cases(const XMLElement& parent, std::vector<JUnitCase>& cases) {
  const bool is_suite = std::string_view(parent.Name()) == "testsuite";
  for (auto* child = parent.FirstChildElement(); child != nullptr;
       child = child->NextSiblingElement()) {
    const std::string_view tag = child->Name();
    if (tag == "testsuite") {
      collect_cases(*child, cases);
    } else if (tag == "testcase" && is_suite) {
      cases.push_back(parse_case(*child));
    }
  }
}

} // namespace

Result<std::vector<JUnitCase>> parse_junit(std::string_view xml) {
  if (is_blank(xml)) {
    return Error{"empty result file"};
  }
  tinyxml2::XMLDocument doc(true, tinyxml2::PRESERVE_WHITESPACE);
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    std::string why = doc.ErrorStr();
    for (char& c : why) {
      if (c == '\n' || c == '\r') {
        c = ' ';
      }
    }
    return make_error("not valid XML: ", why);
  }
  const XMLElement* root = doc.RootElement();
  if (root == nullptr) {
    return Error{"not a JUnit report: no root element, expected <testsuites> or <testsuite>"};
  }
  const std::string_view root_tag = root->Name();
  if (root_tag != "testsuites" && root_tag != "testsuite") {
    return make_error("not a JUnit report: root element is <", root_tag,
                      ">, expected <testsuites> or <testsuite>");
  }
  std::vector<JUnitCase> cases;
  collect_cases(*root, cases);
  return cases;
}

std::map<std::string, double> read_durations(const std::filesystem::path& path) {
  std::map<std::string, double> durations;
  tinyxml2::XMLDocument doc;
  if (doc.LoadFile(path.c_str()) != tinyxml2::XML_SUCCESS || doc.RootElement() == nullptr) {
    return durations;
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  const bool single_suite = std::string_view(root->Name()) == "testsuite";
  for (auto* suite = single_suite ? root : root->FirstChildElement("testsuite"); suite != nullptr;
       suite = single_suite ? nullptr : suite->NextSiblingElement("testsuite")) {
    const char* suite_name = suite->Attribute("name");
    if (suite_name != nullptr && suite_name == k_unmatched_suite) {
      continue;
    }
    for (auto* testcase = suite->FirstChildElement("testcase"); testcase != nullptr;
         testcase = testcase->NextSiblingElement("testcase")) {
      const char* name = testcase->Attribute("name");
      double secs = 0.0;
      if (name == nullptr || testcase->QueryDoubleAttribute("time", &secs) != tinyxml2::XML_SUCCESS ||
          !std::isfinite(secs) || secs < 0.0) {
        continue;
      }
      auto [it, inserted] = durations.emplace(name, secs);
      if (!inserted) {
        it->second = std::max(it->second, secs);
      }
    }
  }
  return durations;
}

} // namespace offload::report
