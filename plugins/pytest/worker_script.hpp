// SPDX-License-Identifier: MIT
#pragma once

#include "pytest_options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace offload::plugins {

/// What the host asks of one persistent worker (ABI 1.1 build_worker_command).
struct WorkerRequest {
  std::string scratch_dir;        ///< private to this worker; the script writes its files there
  std::vector<std::string> tests; ///< the IDs it will probably get first (may be empty)
};

/// The bundled scripts a worker's command carries.
struct WorkerSources {
  std::string worker;      ///< offload_pytest_worker.py
  std::string fork_server; ///< offload_pytest_forkserver.py; empty without fork_workers
};

/// The shell script that starts the bundled pytest worker
/// (offload_pytest_worker.py, docs/worker-protocol.md) with the python,
/// extra_args, run_args, paths and working_dir a batch uses. Like a batch it
/// carries the worker's source and writes it into scratch_dir, since the
/// sandbox may be another machine. With hinted tests, their IDs go to a file
/// the worker reads (it then collects only their files at first); without,
/// it collects `paths`. With `fork_dir` (this machine's private directory
/// for the run's fork servers) the worker is started through the fork
/// server, which runs it directly wherever that directory is not usable.
/// Throws sdk::Failure for an ID that cannot be one line.
std::string worker_script(const PytestOptions& options, const WorkerSources& sources,
                          const std::optional<std::string>& fork_dir, const WorkerRequest& request);

/// Where worker_script writes the hinted IDs, and the worker's source.
std::string worker_hint_file(const std::string& scratch_dir);
std::string worker_dir(const std::string& scratch_dir);

} // namespace offload::plugins
