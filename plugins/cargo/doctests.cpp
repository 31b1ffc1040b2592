// SPDX-License-Identifier: MIT
#include "doctests.hpp"

#include <set>

namespace offload::plugins {
namespace {

constexpr std::string_view k_suffix = "::doctest";

/// The longest whitespace-free word of the item part of a doctest name
/// ("src/lib.rs - math::add (line 7)" gives "math::add"): the most
/// selective filter rustdoc can be given.
std::string longest_word(std::string_view name) {
  const std::size_t dash = name.find(" - ");
  std::string_view item = dash == std::string_view::npos ? name : name.substr(dash + 3);
  if (const std::size_t line = item.rfind(" (line "); line != std::string_view::npos) {
    item = item.substr(0, line);
  }
  std::string_view best;
  for (std::size_t begin = 0; begin < item.size();) {
    const std::size_t end = std::min(item.find_first_of(" \t", begin), item.size());
    if (end - begin > best.size()) {
      best = item.substr(begin, end - begin);
    }
    begin = end + 1;
  }
  return best.empty() ? std::string(name.substr(0, name.find(' '))) : std::string(best);
}

} // namespace

CaseName case_name(std::string_view binary_id, std::string_view test) {
  const std::size_t last = test.rfind("::");
  if (binary_id.ends_with(k_suffix) || last == std::string_view::npos) {
    return {std::string(binary_id), std::string(test)};
  }
  return {std::string(binary_id) + "::" + std::string(test.substr(0, last)), std::string(test.substr(last + 2))};
}

TestBinary doctest_binary(const TestBinary& library) {
  TestBinary doctests;
  doctests.binary_id = library.binary_id + std::string(k_suffix);
  doctests.kind = std::string(k_doctest_kind);
  doctests.target_name = library.target_name;
  doctests.package_dir = library.package_dir;
  return doctests;
}

std::string doctest_package(const TestBinary& doctests) {
  const std::string& id = doctests.binary_id;
  return id.ends_with(k_suffix) ? id.substr(0, id.size() - k_suffix.size()) : id;
}

std::vector<std::string> doctest_filter_args(const std::vector<std::string>& names) {
  std::set<std::string> words;
  for (const std::string& name : names) {
    words.insert(longest_word(name));
  }
  return {words.begin(), words.end()};
}

} // namespace offload::plugins
