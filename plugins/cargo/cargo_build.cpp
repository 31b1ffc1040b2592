// SPDX-License-Identifier: MIT
#include "cargo_build.hpp"

#include "json_config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

namespace offload::plugins {
namespace {

using plugin_support::string_member;

bool is_library_kind(std::string_view kind) {
  constexpr std::array<std::string_view, 6> libraries = {"lib", "rlib", "dylib", "cdylib", "staticlib",
                                                         "proc-macro"};
  return std::find(libraries.begin(), libraries.end(), kind) != libraries.end();
}

std::string parent_dir(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) {
    return ".";
  }
  return slash == 0 ? "/" : std::string(path.substr(0, slash));
}

/// The target kind the binary ID uses: "lib" for every library flavour.
std::string target_kind(const nlohmann::json& target) {
  const auto kinds = target.find("kind");
  if (kinds == target.end() || !kinds->is_array() || kinds->empty()) {
    return {};
  }
  for (const auto& kind : *kinds) {
    if (kind.is_string() && is_library_kind(kind.get<std::string>())) {
      return "lib";
    }
  }
  return kinds->front().is_string() ? kinds->front().get<std::string>() : std::string();
}

/// Whether rustc built the artifact with --test, i.e. with libtest's harness.
bool is_test_build(const nlohmann::json& message) {
  const auto profile = message.find("profile");
  if (profile == message.end() || !profile->is_object()) {
    return false;
  }
  const auto test = profile->find("test");
  return test != profile->end() && test->is_boolean() && test->get<bool>();
}

} // namespace

std::string package_name(std::string_view package_id) {
  if (const std::size_t space = package_id.find(' '); space != std::string_view::npos) {
    return std::string(package_id.substr(0, space));
  }
  std::string_view url = package_id;
  if (const std::size_t hash = package_id.find('#'); hash != std::string_view::npos) {
    const std::string_view fragment = package_id.substr(hash + 1);
    if (const std::size_t at = fragment.find('@'); at != std::string_view::npos) {
      return std::string(fragment.substr(0, at));
    }
    const bool is_version = !fragment.empty() && fragment.front() >= '0' && fragment.front() <= '9';
    if (!fragment.empty() && !is_version) {
      return std::string(fragment);
    }
    url = package_id.substr(0, hash);
  }
  // Only a version after '#': the name is the last component of the URL's path.
  url = url.substr(0, url.find('?'));
  while (url.ends_with('/')) {
    url.remove_suffix(1);
  }
  return std::string(url.substr(url.rfind('/') + 1));
}

std::string binary_id(std::string_view package, std::string_view kind, std::string_view target) {
  if (kind == "lib") {
    return std::string(package);
  }
  if (kind == "test") {
    return std::string(package) + "::" + std::string(target);
  }
  return std::string(package) + "::" + std::string(kind) + "/" + std::string(target);
}

TestArtifacts parse_test_artifacts(const std::vector<std::string>& lines) {
  TestArtifacts artifacts;
  for (const std::string& line : lines) {
    if (!line.starts_with('{')) {
      continue;
    }
    const nlohmann::json message = nlohmann::json::parse(line, nullptr, false);
    if (!message.is_object() || string_member(message, "reason") != "compiler-artifact") {
      continue;
    }
    const auto target = message.find("target");
    const std::string executable = string_member(message, "executable");
    if (target == message.end() || !target->is_object() || executable.empty()) {
      continue;
    }
    TestBinary binary;
    binary.kind = target_kind(*target);
    binary.target_name = string_member(*target, "name");
    if (!is_test_build(message)) {
      if (binary.kind == "test") {
        artifacts.without_harness.push_back(binary.target_name);
      }
      continue;
    }
    binary.binary_id = binary_id(package_name(string_member(message, "package_id")), binary.kind,
                                 binary.target_name);
    binary.executable = executable;
    binary.package_dir = parent_dir(string_member(message, "manifest_path"));
    artifacts.binaries.push_back(std::move(binary));
  }
  return artifacts;
}

std::vector<std::string> parse_test_list(const std::vector<std::string>& lines) {
  constexpr std::string_view suffix = ": test";
  std::vector<std::string> tests;
  for (std::string_view line : lines) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
      line.remove_suffix(1);
    }
    if (line.size() > suffix.size() && line.ends_with(suffix)) {
      tests.emplace_back(line.substr(0, line.size() - suffix.size()));
    }
  }
  return tests;
}

} // namespace offload::plugins
