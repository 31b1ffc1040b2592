// SPDX-License-Identifier: MIT
#pragma once

#include "process/process.hpp"
#include "report/timeline.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

namespace offload::report {

/// logs/batch-N.<outcome>: everything one batch printed, stderr lines
/// prefixed "[stderr] ". Written while the batch runs (as batch-N.running),
/// renamed to its outcome when it ends; streamed to disk, so a test that
/// prints gigabytes costs no memory.
class BatchLog {
public:
  BatchLog(const std::filesystem::path& logs_dir, std::size_t batch);
  /// A log named `stem`.<outcome> (a persistent worker's: "worker-N").
  BatchLog(const std::filesystem::path& logs_dir, std::string stem);
  ~BatchLog();
  BatchLog(const BatchLog&) = delete;
  BatchLog& operator=(const BatchLog&) = delete;

  void line(process::Stream stream, std::string_view text);
  /// A line from offload itself ("[offload] ...").
  void note(std::string_view text);
  /// Closes the file under its final name.
  void finish(BatchOutcome outcome);

private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::filesystem::path m_dir;
  std::string m_stem;
  std::unique_ptr<std::FILE, Closer> m_file;
};

} // namespace offload::report
