// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"
#include "plugin/host.hpp"
#include "plugin/registry.hpp"
#include "process/process.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace offload::plugin {

/// Turns a failed plugin call into one error line: "<what> (<plugin>): <reason>",
/// with the call's OFFLOAD_E* code. Every Error from the wrappers below
/// carries a code: the plugin's, or OFFLOAD_EFAULT when the host found what
/// the plugin returned unusable, OFFLOAD_EINVAL for a bad config section.
Error call_error(const Factory& factory, const offload_error& err, int32_t rc, std::string_view what);

/// Whether a failed call may succeed when tried again (elsewhere or later):
/// OFFLOAD_EAGAIN (transient) and OFFLOAD_EIO (a command or transfer
/// failed). Everything else is reported once: OFFLOAD_EINVAL and
/// OFFLOAD_ENOTSUP are configuration errors that no retry fixes, ENOENT,
/// EFAULT and ENOMEM would fail the same way again, and ETIMEDOUT /
/// ECANCELED are outcomes the caller handles itself.
bool worth_retrying(const Error& error);

/// Checks `section` against the factory's options, then creates an instance;
/// errors point at the offending key's file and line.
Result<std::pair<void*, nlohmann::json>> create_instance(const Factory& factory,
                                                         const config::PluginSection& section);

struct DiscoveredTest {
  std::string id; ///< empty in a files_only listing: `file` is a file to collect
  std::optional<std::string> file;
  std::string classname; ///< the framework's JUnit classname, or empty
  std::string name;      ///< the framework's JUnit name, or empty
};

struct BatchCommand {
  nlohmann::json spec;                     ///< command JSON for the provider
  std::optional<std::string> result_file;  ///< absent: the exit status is the verdict
};

struct CaseName {
  std::string name;
  std::string classname;
};

/// A framework instance (see offload_framework_v1). Thread-safe as the ABI requires.
class Framework {
public:
  Framework(const Factory& factory, void* self);
  ~Framework();
  Framework(const Framework&) = delete;
  Framework& operator=(const Framework&) = delete;

  const Factory& factory() const { return m_factory; }
  /// False when the framework has no per-test result file (exit-code mode).
  bool has_result_files() const { return m_result_files; }
  /// Exit statuses of a batch that mean nothing is wrong even when every
  /// test passed (describe's "benign_exit_statuses"); any other non-zero
  /// status with only passes fails the run.
  const std::set<int>& benign_exit_statuses() const { return m_benign_exit_statuses; }
  /// The one path every batch's runner writes its results to, when the
  /// framework cannot choose a path per batch (describe's "fixed_result_file").
  const std::optional<std::string>& fixed_result_file() const { return m_fixed_result_file; }

  /// describe's "worker_discovery": its worker reports what it collects,
  /// so discovery may list files only and leave the tests to the workers.
  bool worker_discovery() const { return m_worker_discovery; }

  /// `files_only` (honoured only with worker_discovery()): the plugin may
  /// answer with file records (empty `id`) instead of tests.
  Result<std::vector<DiscoveredTest>> discover(const std::string& group, const std::string& filters,
                                               const process::CancelToken& cancel, bool files_only = false) const;
  Result<BatchCommand> build_command(const std::vector<std::string>& tests, const std::string& result_file,
                                     bool fail_fast) const;
  /// The command of a persistent worker (ABI 1.1 build_worker_command) for
  /// `request` ({"scratch_dir", "fail_fast", "tests"}); nullopt when the
  /// framework has no worker (NULL slot) or none for this configuration
  /// (OFFLOAD_ENOTSUP).
  Result<std::optional<BatchCommand>> worker_command(const nlohmann::json& request) const;
  /// The runner's result file as JUnit XML.
  Result<std::string> to_junit(std::string data) const;
  /// Test ID (or nullopt) for each case, in order.
  Result<std::vector<std::optional<std::string>>> map_results(const std::vector<std::string>& tests,
                                                              const std::vector<CaseName>& cases) const;

private:
  const offload_framework_v1& table() const;
  /// The one command JSON a build_*command call wrote, checked.
  Result<BatchCommand> command_from(const std::vector<std::string>& written, std::string_view call) const;

  const Factory& m_factory;
  void* m_self;
  bool m_result_files = true;
  std::set<int> m_benign_exit_statuses;
  std::optional<std::string> m_fixed_result_file;
  bool m_worker_discovery = false;
};

struct ExecOutcome {
  process::Ending ending = process::Ending::Exited;
  int exit_status = -1;
};

class Provider;

/// One sandbox; destroyed (destroy_sandbox) when this object goes away.
class Sandbox {
public:
  Sandbox(const Provider& provider, offload_sandbox* handle, std::string name, std::string id,
          std::string scratch_dir);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  const std::string& name() const { return m_name; } ///< offload's name for it
  const std::string& id() const { return m_id; }     ///< the provider's ID
  const std::string& scratch_dir() const { return m_scratch_dir; }

  /// Runs a command. An Error means the sandbox failed (infrastructure);
  /// a timeout or cancellation is an outcome, not an error.
  Result<ExecOutcome> exec(const nlohmann::json& command, const process::LineHandler& on_line,
                           const process::CancelToken& cancel) const;
  /// True when the provider can run a command fed through its stdin (ABI 1.1 exec_stdin).
  bool streams_stdin() const;
  /// Like exec, with the command's stdin read from `stdin_fd` (the read end
  /// of a pipe the caller owns and writes to; make its write end
  /// close-on-exec). An Error with code OFFLOAD_ENOTSUP unless streams_stdin().
  Result<ExecOutcome> exec_stdin(const nlohmann::json& command, int stdin_fd, const process::LineHandler& on_line,
                                 const process::CancelToken& cancel) const;
  enum class Fetched { All, Missing };
  /// Copies (remote, local) files out of the sandbox. Missing: a remote file
  /// does not exist (the runner never wrote it). An Error: the transfer
  /// itself failed (an infrastructure failure).
  Result<Fetched> download(const std::vector<std::pair<std::string, std::string>>& files,
                           const process::CancelToken& cancel) const;

private:
  Result<ExecOutcome> run_command(const nlohmann::json& command, std::optional<int> stdin_fd,
                                  const process::LineHandler& on_line, const process::CancelToken& cancel) const;

  const Provider& m_provider;
  offload_sandbox* m_handle;
  std::string m_name;
  std::string m_id;
  std::string m_scratch_dir;
};

struct SandboxRequest {
  std::string name;
  std::optional<std::string> image_id;
  std::map<std::string, std::string> env;
  std::optional<std::string> project_root;
};

/// A provider instance (see offload_provider_v1).
class Provider {
public:
  Provider(const Factory& factory, void* self);
  ~Provider();
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  const Factory& factory() const { return m_factory; }
  bool remote() const { return m_remote; }
  /// True when its sandboxes can run a command fed through stdin (ABI 1.1 exec_stdin).
  bool streams_stdin() const;

  /// The image ID, or nullopt when the provider has none.
  Result<std::optional<std::string>> prepare(bool no_cache, const std::vector<std::string>& copy_dirs,
                                             const process::CancelToken& cancel) const;
  Result<std::unique_ptr<Sandbox>> create_sandbox(const SandboxRequest& request,
                                                  const process::CancelToken& cancel) const;

private:
  friend class Sandbox;
  const offload_provider_v1& table() const;

  const Factory& m_factory;
  void* m_self;
  bool m_remote = false;
};

} // namespace offload::plugin
