// SPDX-License-Identifier: MIT
#include "util/paths.hpp"

#include <cstdlib>
#include <sstream>

namespace offload::util {

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return std::filesystem::current_path();
  }
  return exe.parent_path();
}

std::optional<std::string> env(const char* name) {
  // secure_getenv: a setuid offload must not take plugin paths from the user.
  if (const char* v = secure_getenv(name)) {
    return std::string(v);
  }
  return std::nullopt;
}

std::vector<std::string> split_path_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ':')) {
    if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

} // namespace offload::util
