// SPDX-License-Identifier: MIT
#pragma once

#include "temp_dir.hpp"

#include <offload/plugin.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace offload::plugins {

/// The `local` provider: every sandbox is a private temp directory on this
/// machine and every command a local process started through the host.
class LocalProvider {
public:
  struct Sandbox {
    /// Makes the sandbox's private directory under `temp_root`.
    Sandbox(std::string sandbox_id, const std::filesystem::path& temp_root,
            std::map<std::string, std::string> sandbox_env);

    std::string id;
    TempDir dir;
    std::map<std::string, std::string> env;
  };

  /// Takes the checked [provider] section; throws sdk::Failure(OFFLOAD_EINVAL)
  /// naming the key when working_dir or shell is unusable.
  LocalProvider(const offload_host_v1* host, std::string_view config_json);

  const offload_host_v1* host() const noexcept { return m_host; }
  const std::filesystem::path& working_dir() const noexcept { return m_working_dir; }
  const std::string& shell() const noexcept { return m_shell; }

  std::string describe();
  /// There is no image: tests run in the working directory itself, so
  /// --copy-dir has nowhere to copy to and is refused, never ignored.
  std::optional<std::string> prepare(std::string_view request, const offload_cancel* cancel);
  std::unique_ptr<Sandbox> create_sandbox(std::string_view request, std::string& info_json,
                                          const offload_cancel* cancel);
  int32_t exec(Sandbox& sandbox, std::string_view command, const offload_sink* output,
               const offload_cancel* cancel);
  /// exec with the command's stdin read from the host's `stdin_fd` (ABI 1.1).
  int32_t exec_stdin(Sandbox& sandbox, std::string_view command, int32_t stdin_fd, const offload_sink* output,
                     const offload_cancel* cancel);
  void download(Sandbox& sandbox, std::string_view request, const offload_cancel* cancel);
  void destroy_sandbox(Sandbox& sandbox);

  /// The host->process_run spec that runs `command` (a parsed command JSON)
  /// in `sandbox`.
  nlohmann::json process_spec(const Sandbox& sandbox, const nlohmann::json& command) const;

private:
  const offload_host_v1* m_host;
  std::filesystem::path m_working_dir;
  std::map<std::string, std::string> m_env;
  std::string m_shell;
  std::filesystem::path m_temp_root;
};

} // namespace offload::plugins
