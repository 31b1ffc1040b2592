// SPDX-License-Identifier: MIT
#include "binary_glob.hpp"

#include <offload/plugin.hpp>

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <system_error>

namespace offload::plugins {
namespace fs = std::filesystem;
namespace {

/// `text` with glob's special characters escaped, so it matches only itself.
std::string glob_literal(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
      escaped += '\\';
    }
    escaped += c;
  }
  return escaped;
}

bool is_executable_file(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

struct GlobFree {
  void operator()(glob_t* g) const noexcept { globfree(g); }
};

std::vector<std::string> glob_paths(const std::string& pattern) {
  glob_t matches{};
  const int rc = ::glob(pattern.c_str(), 0, nullptr, &matches);
  const std::unique_ptr<glob_t, GlobFree> owner(&matches);
  std::vector<std::string> paths;
  if (rc == 0) {
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
      paths.emplace_back(matches.gl_pathv[i]);
    }
  }
  return paths;
}

} // namespace

std::vector<std::string> expand_binaries(const std::vector<std::string>& patterns, const std::string& working_dir) {
  const std::string base = working_dir.empty() ? std::string() : working_dir + (working_dir.ends_with('/') ? "" : "/");
  std::vector<std::string> binaries;
  std::vector<fs::path> seen; // the same file may be matched under two spellings
  for (const std::string& pattern : patterns) {
    const bool relative = !pattern.starts_with('/');
    const std::string full = relative ? glob_literal(base) + pattern : pattern;
    std::size_t found = 0;
    for (const std::string& match : glob_paths(full)) {
      if (!is_executable_file(match)) {
        continue;
      }
      ++found;
      std::string path = relative ? match.substr(base.size()) : match;
      if (path.find('/') == std::string::npos) {
        path = "./" + path;
      }
      std::error_code ec;
      const fs::path canonical = fs::weakly_canonical(match, ec);
      if (std::find(seen.begin(), seen.end(), canonical) == seen.end()) {
        seen.push_back(canonical);
        binaries.push_back(std::move(path));
      }
    }
    if (found == 0) {
      fs::path where = working_dir.empty() ? fs::current_path() : fs::absolute(working_dir).lexically_normal();
      if (!where.has_filename() && where != where.root_path()) {
        where = where.parent_path();
      }
      throw sdk::Failure(OFFLOAD_ENOENT,
                         "binaries: '" + pattern + "' matches no executable file (looked in " + where.string() + ")",
                         "binaries");
    }
  }
  return binaries;
}

} // namespace offload::plugins
