// SPDX-License-Identifier: MIT
#pragma once

#include "pytest_options.hpp"

#include <string>
#include <vector>

namespace offload::plugins {

/// One batch to run.
struct Batch {
  std::vector<std::string> tests; ///< node IDs
  std::string result_file;        ///< where the JUnit XML goes
  bool fail_fast = false;
};

/// The files the node IDs live in (the part before the first "::"), each
/// once, in the order they first appear.
std::vector<std::string> test_files(const std::vector<std::string>& ids);

/// Where the batch script writes the batch's node IDs, one per line.
std::string ids_file_for(const std::string& result_file);

/// The directory the batch script writes the bundled pytest plugin into.
std::string plugin_dir_for(const std::string& result_file);

/// Throws sdk::Failure(OFFLOAD_EINVAL) for an ID that cannot be one line of a file.
void check_one_line(const std::string& id);

/// Shell lines writing `ids` to `path`, one per line, through a quoted
/// here-document whose delimiter no ID equals. Checks each ID with check_one_line.
std::string ids_heredoc(const std::string& path, const std::vector<std::string>& ids);

/// Shell lines creating `dir` and writing `source` to dir/name through a
/// quoted here-document ended by the line `end`; throws sdk::Failure when
/// `source` holds that line.
std::string source_heredoc(const std::string& dir, const std::string& name, const std::string& source,
                           const std::string& end);

/// Shell lines writing `source` to `path` (in a directory source_heredoc
/// made) through a quoted here-document ended by the line `end`; throws
/// sdk::Failure when `source` holds that line.
std::string file_heredoc(const std::string& path, const std::string& source, const std::string& end);

/// The shell script that runs `batch`: it writes the node IDs to
/// ids_file_for(result_file) through a quoted here-document (IDs never go
/// through argv, which is fragile for "::", "[" and spaces and too small for
/// thousands of IDs), writes the bundled plugin (`plugin_source`) beside it
/// — the sandbox may be another machine, where offload's own files are not —
/// then runs pytest with that plugin, which keeps only those IDs. Only the IDs' files that exist
/// are collected; when none does (the IDs are relative to a rootdir above
/// working_dir), pytest collects `paths` and the plugin still selects.
/// Every configured value and ID is quoted. Throws sdk::Failure for an ID
/// that cannot be one line of the file.
std::string batch_script(const PytestOptions& options, const std::string& plugin_source, const Batch& batch);

} // namespace offload::plugins
