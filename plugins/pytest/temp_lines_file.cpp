// SPDX-License-Identifier: MIT
#include "temp_lines_file.hpp"

#include <offload/plugin.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

namespace offload::plugins {

TempLinesFile::TempLinesFile(const char* name) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string("offload-pytest-") + name + "-XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    throw sdk::Failure(OFFLOAD_EIO, "cannot create a temporary file in " +
                                        std::filesystem::temp_directory_path().string() + ": " +
                                        std::strerror(errno));
  }
  ::close(fd);
  m_path = std::move(pattern);
}

TempLinesFile::~TempLinesFile() {
  ::unlink(m_path.c_str());
}

std::vector<std::string> TempLinesFile::lines() const {
  std::ifstream in(m_path, std::ios::binary);
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && seen.insert(line).second) {
      ids.push_back(std::move(line));
    }
  }
  return ids;
}

std::string with_plugin_dir(const std::string& dir) {
  const char* current = std::getenv("PYTHONPATH");
  return current != nullptr && *current != '\0' ? dir + ":" + current : dir;
}

} // namespace offload::plugins
