// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace offload::plugins {

/// A private temporary file one of the bundled plugin's discovery options
/// writes node IDs to, one per line (--offload-skipped: the modules that
/// skipped themselves; --offload-files: the files to collect). Removed when
/// this goes.
class TempLinesFile {
public:
  explicit TempLinesFile(const char* name);
  ~TempLinesFile();
  TempLinesFile(const TempLinesFile&) = delete;
  TempLinesFile& operator=(const TempLinesFile&) = delete;

  const std::string& path() const noexcept { return m_path; }
  /// What the plugin wrote, in order, each line once (a module and its
  /// doctests skip under one node ID); empty when it wrote nothing.
  std::vector<std::string> lines() const;

private:
  std::string m_path;
};

/// `dir` first, then the PYTHONPATH offload runs with, if any.
std::string with_plugin_dir(const std::string& dir);

} // namespace offload::plugins
