// SPDX-License-Identifier: MIT
#include "test_filter.hpp"

#include "doctests.hpp"

#include <offload/plugin.hpp>

#include <algorithm>

namespace offload::plugins {

TestFilter::TestFilter(const std::vector<std::string>& words, std::string_view what) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    const auto value = [&]() -> const std::string& {
      if (i + 1 == words.size()) {
        throw sdk::Failure(OFFLOAD_EINVAL, std::string(what) + ": '" + word + "' needs a value after it");
      }
      return words[++i];
    };
    if (word == "--exact") {
      m_exact = true;
    } else if (word == "--lib") {
      m_lib = true;
    } else if (word == "--doc") {
      m_doc = true;
    } else if (word == "--skip") {
      m_skips.push_back(value());
    } else if (word == "--bin") {
      m_bins.push_back(value());
    } else if (word == "--test") {
      m_tests.push_back(value());
    } else if (word.starts_with('-')) {
      throw sdk::Failure(OFFLOAD_EINVAL,
                         std::string(what) + ": unsupported option '" + word +
                             "'; expected test name filters, --exact, --skip NAME, --lib, --doc, --bin NAME or --test NAME");
    } else {
      m_names.push_back(word);
    }
  }
}

bool TestFilter::matches(std::string_view test, const std::string& pattern) const {
  return m_exact ? test == pattern : test.find(pattern) != std::string_view::npos;
}

bool TestFilter::selects(const TestBinary& binary, std::string_view test) const {
  const auto contains = [](const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  const bool any_target = m_lib || m_doc || !m_bins.empty() || !m_tests.empty();
  const bool target_selected = (m_lib && binary.kind == "lib") || (m_doc && binary.kind == k_doctest_kind) ||
                               (binary.kind == "bin" && contains(m_bins, binary.target_name)) ||
                               (binary.kind == "test" && contains(m_tests, binary.target_name));
  if (any_target && !target_selected) {
    return false;
  }
  const auto hit = [&](const std::string& pattern) { return matches(test, pattern); };
  if (!m_names.empty() && std::none_of(m_names.begin(), m_names.end(), hit)) {
    return false;
  }
  return std::none_of(m_skips.begin(), m_skips.end(), hit);
}

} // namespace offload::plugins
