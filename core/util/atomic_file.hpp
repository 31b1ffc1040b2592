// SPDX-License-Identifier: MIT
#pragma once

#include "util/result.hpp"

#include <cstdio>
#include <filesystem>
#include <string_view>

namespace offload::util {

/// A report file being written: the content goes to "<target>.tmp-<pid>" in
/// the same directory and only replaces the target on commit(), so readers
/// never see a half-written report. Dropped without commit(), the temporary
/// file is removed.
class AtomicFile {
public:
  static Result<AtomicFile> create(const std::filesystem::path& target);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  std::FILE* stream() const noexcept { return m_stream; }

  /// Flushes, closes and renames onto the target; on failure the temporary
  /// file is removed and the target left as it was.
  Status commit();

private:
  AtomicFile(std::filesystem::path target, std::filesystem::path temp, std::FILE* stream);
  void discard() noexcept;

  std::filesystem::path m_target;
  std::filesystem::path m_temp;
  std::FILE* m_stream = nullptr;
  bool m_pending = false;
};

/// Writes `content` to `target` through an AtomicFile.
Status write_file_atomically(const std::filesystem::path& target, std::string_view content);

} // namespace offload::util
