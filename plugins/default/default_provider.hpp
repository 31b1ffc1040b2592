// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// Everything a `default` provider runs: one shell command template per
/// lifecycle step and the settings around them.
struct ShellCommands {
  std::optional<std::string> prepare; ///< last stdout line = image ID
  std::string create;                 ///< {image_id}; prints the sandbox ID
  std::string exec;                   ///< {sandbox_id}, {command}
  std::string download;               ///< {sandbox_id}, {paths}
  std::string destroy;                ///< {sandbox_id}
  std::optional<std::string> working_dir; ///< cwd of every command; absent = offload's
  int64_t timeout_secs = 3600;        ///< for every command but exec
  std::vector<std::string> copy_dirs; ///< "local:remote", passed to prepare
  std::map<std::string, std::string> env; ///< exported for every exec
  std::string scratch_dir = "/tmp";   ///< {sandbox_id} allowed; each sandbox gets a fresh subdirectory
  /// destroy_command takes the scratch directory with the sandbox (a
  /// container, a VM): no command removes it first.
  bool destroy_removes_scratch = false;
  std::string no_cache_flag;          ///< appended to prepare for --no-cache, if any
  /// True when offload wrote the templates (modal): a broken one is then not
  /// the user's configuration key.
  bool generated = false;
};

/// Reads a checked `[provider]` section of type "default"; throws
/// sdk::Failure(OFFLOAD_EINVAL) naming the key that breaks a rule.
ShellCommands shell_commands_from_config(const nlohmann::json& config);

/// The `default` provider: a sandbox is whatever the user's shell commands
/// make of it. Every command runs locally as /bin/sh -c through the host, so
/// timeouts, cancellation and the process-group kill apply to it.
class DefaultProvider {
public:
  struct Sandbox {
    std::string id; ///< as printed by create_command
    std::map<std::string, std::string> env;
    std::optional<std::string> project_root;
    std::string scratch_dir; ///< private to this sandbox
    /// Shell lines that make scratch_dir before each command, when it was
    /// named at create rather than made then; empty otherwise.
    std::string scratch_guard;
  };

  DefaultProvider(const offload_host_v1* host, std::string_view config_json);
  /// Resolves the @name.ext tokens of every template now, so a misspelled
  /// script fails at `offload validate`.
  DefaultProvider(const offload_host_v1* host, ShellCommands commands);

  const offload_host_v1* host() const noexcept { return m_host; }
  /// The templates with their @name.ext tokens resolved.
  const ShellCommands& commands() const noexcept { return m_commands; }

  std::string describe();
  std::optional<std::string> prepare(std::string_view request, const offload_cancel* cancel);
  std::unique_ptr<Sandbox> create_sandbox(std::string_view request, std::string& info_json,
                                          const offload_cancel* cancel);
  int32_t exec(Sandbox& sandbox, std::string_view command, const offload_sink* output,
               const offload_cancel* cancel);
  /// exec with exec_command's stdin read from the host's `stdin_fd` (ABI 1.1).
  int32_t exec_stdin(Sandbox& sandbox, std::string_view command, int32_t stdin_fd, const offload_sink* output,
                     const offload_cancel* cancel);
  void download(Sandbox& sandbox, std::string_view request, const offload_cancel* cancel);
  void destroy_sandbox(Sandbox& sandbox);

  /// The {command} value for a command JSON: the whole remote script as one
  /// shell word.
  std::string command_argument(const Sandbox& sandbox, const nlohmann::json& command) const;

private:
  /// The host->process_run spec of exec_command for a command JSON.
  nlohmann::json exec_spec(const Sandbox& sandbox, std::string_view command) const;
  nlohmann::json process_spec(const std::string& line, int64_t timeout_ms,
                              const std::map<std::string, std::string>& env = {}) const;
  /// Runs a lifecycle command with timeout_secs and returns its exit status;
  /// a timeout or cancellation becomes a Failure that names `key`.
  int32_t run_step(const std::string& key, const std::string& line, const offload_sink* output,
                   const offload_cancel* cancel, const std::map<std::string, std::string>& env = {}) const;
  /// Runs `command` (a command JSON) in the sandbox with timeout_secs.
  int32_t exec_in(const Sandbox& sandbox, const nlohmann::json& command, const offload_sink* output,
                  const offload_cancel* cancel) const;
  /// Makes a fresh 0700 directory inside `parent` (scratch_dir, substituted)
  /// in the sandbox.
  std::string make_scratch_dir(const Sandbox& sandbox, std::string parent, const offload_cancel* cancel) const;
  /// Names the private directory without a round trip, when `parent` is
  /// absolute: every command then makes it first (Sandbox::scratch_guard).
  bool name_scratch_dir(Sandbox& sandbox, const std::string& parent) const;
  /// The quoted path of bundled script `name`, for an @name token in `key`.
  std::string script_word(const std::string& name, const std::string& key) const;
  /// The configuration key to blame for a template, unless offload wrote it.
  std::string key_of(const std::string& key) const;

  const offload_host_v1* m_host;
  ShellCommands m_commands;
};

} // namespace offload::plugins
