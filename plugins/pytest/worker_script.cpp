// SPDX-License-Identifier: MIT
#include "worker_script.hpp"

#include "batch_script.hpp"
#include "shell.hpp"

namespace offload::plugins {

inline constexpr const char* k_worker_name = "offload_pytest_worker.py";
inline constexpr const char* k_fork_server_name = "offload_pytest_forkserver.py";

std::string worker_hint_file(const std::string& scratch_dir) {
  return scratch_dir + "/worker.hint";
}

std::string worker_dir(const std::string& scratch_dir) {
  return scratch_dir + "/worker";
}

std::string worker_script(const PytestOptions& options, const WorkerSources& sources,
                          const std::optional<std::string>& fork_dir, const WorkerRequest& request) {
  const std::string dir = worker_dir(request.scratch_dir);
  // The here-documents feed cat alone: the worker's stdin stays the host's pipe.
  std::string script = source_heredoc(dir, k_worker_name, sources.worker, "OFFLOAD_PYTEST_WORKER");
  std::vector<std::string> command{options.python};
  command.insert(command.end(), options.extra_args.begin(), options.extra_args.end());
  if (fork_dir) {
    script += file_heredoc(dir + "/" + k_fork_server_name, sources.fork_server, "OFFLOAD_PYTEST_FORKSERVER");
    command.insert(command.end(), {dir + "/" + k_fork_server_name, *fork_dir});
  }
  command.push_back(dir + "/" + k_worker_name);
  if (!request.tests.empty()) {
    script += ids_heredoc(worker_hint_file(request.scratch_dir), request.tests);
    command.push_back("--hint=" + worker_hint_file(request.scratch_dir));
  }
  if (options.working_dir) {
    script += "cd " + plugin_support::shell_quote(*options.working_dir) + " || exit\n";
  }
  // The same arguments as a batch's pytest, so pytest finds the same rootdir,
  // conftests and node IDs; fail_fast is the host's: it stops sending tests.
  command.insert(command.end(), {"--", "-q"});
  command.insert(command.end(), options.pytest_args.begin(), options.pytest_args.end());
  command.insert(command.end(), options.run_args.begin(), options.run_args.end());
  command.insert(command.end(), options.paths.begin(), options.paths.end());
  script += "exec " + plugin_support::shell_join(command) + "\n";
  return script;
}

} // namespace offload::plugins
