// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace offload::plugins {

/// A private temporary file the bundled plugin's --offload-skipped option
/// writes to in discovery: the node IDs of the collectors (modules) that
/// skipped themselves, one per line. Removed when this goes.
class SkippedModulesFile {
public:
  SkippedModulesFile();
  ~SkippedModulesFile();
  SkippedModulesFile(const SkippedModulesFile&) = delete;
  SkippedModulesFile& operator=(const SkippedModulesFile&) = delete;

  const std::string& path() const noexcept { return m_path; }
  /// What the plugin wrote, in order, each ID once; empty when it wrote nothing.
  std::vector<std::string> node_ids() const;

private:
  std::string m_path;
};

/// `dir` first, then the PYTHONPATH offload runs with, if any.
std::string with_plugin_dir(const std::string& dir);

} // namespace offload::plugins
