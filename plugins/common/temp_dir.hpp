// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>

namespace offload::plugins {

/// A private directory made with mkdtemp, removed with everything in it when
/// released or, as a last resort, when the owner goes away.
class TempDir {
public:
  /// Creates `<parent>/<prefix>XXXXXX` with mode 0700; throws
  /// sdk::Failure(OFFLOAD_EIO) when that is impossible.
  TempDir(const std::filesystem::path& parent, const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return m_path; }

  /// Removes the directory tree now; throws sdk::Failure(OFFLOAD_EIO) when
  /// something stays behind. Either way the directory is no longer owned.
  void remove();

private:
  std::filesystem::path m_path;
  bool m_owned = true;
};

} // namespace offload::plugins
