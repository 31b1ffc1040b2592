// SPDX-License-Identifier: MIT
#pragma once

#include "ssh_host.hpp"
#include "temp_dir.hpp"

#include <offload/plugin.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins::ssh {

/// The `ssh` provider: a fleet of machines reached over ssh. The project is
/// copied to each host once per run; a sandbox is a private directory on one
/// host, and every command runs over that host's one master connection.
///
/// A host that cannot be used (malformed entry, refused key, unknown host
/// key, unreachable) is reported once with its name and left out; sandboxes
/// are placed on the others. A host that drops during the run fails the
/// commands of its sandboxes (so the host retires them and runs their tests
/// elsewhere) and takes no new sandboxes.
class SshProvider {
public:
  struct Sandbox {
    std::string id;
    std::size_t host = 0;
    std::string dir; ///< private directory on the host: tmp/ (scratch, TMPDIR) and the running command's pid
    std::map<std::string, std::string> env;
    std::string cwd; ///< where commands start
  };

  SshProvider(const offload_host_v1* host, std::string_view config_json);
  /// Removes this run's directories on the hosts and stops the master connections.
  ~SshProvider();
  SshProvider(const SshProvider&) = delete;
  SshProvider& operator=(const SshProvider&) = delete;

  const offload_host_v1* host() const noexcept { return m_host; }

  std::string describe();
  /// Connects to every host and copies the project; nothing to build, so no image.
  std::optional<std::string> prepare(std::string_view request, const offload_cancel* cancel);
  std::unique_ptr<Sandbox> create_sandbox(std::string_view request, std::string& info_json,
                                          const offload_cancel* cancel);
  int32_t exec(Sandbox& sandbox, std::string_view command, const offload_sink* output,
               const offload_cancel* cancel);
  /// exec with `stdin_fd` (owned by the caller) as the remote command's stdin, streamed over ssh.
  int32_t exec_stdin(Sandbox& sandbox, std::string_view command, int32_t stdin_fd, const offload_sink* output,
                     const offload_cancel* cancel);
  void download(Sandbox& sandbox, std::string_view request, const offload_cancel* cancel);
  void destroy_sandbox(Sandbox& sandbox);

  /// The private directory of control sockets and key links.
  const std::filesystem::path& control_dir() const noexcept { return m_settings.control_dir; }
  /// The usable hosts' entries with their slots, after connecting (for tests and logs).
  std::vector<std::pair<std::string, int64_t>> usable_hosts() const;

private:
  struct HostState {
    std::unique_ptr<SshHost> ssh;
    bool connected = false;
    std::string down; ///< why the host is not used; empty while it is
    int64_t active = 0;
    std::unique_ptr<std::mutex> reconnecting = std::make_unique<std::mutex>();
  };

  void connect_all(const std::vector<std::string>& copy_dirs, const offload_cancel* cancel);
  std::size_t reserve_slot();
  void release_slot(std::size_t host);
  void check_up(std::size_t host) const;
  void mark_down(std::size_t host, const std::string& why);
  /// After ssh exited 255 with the master gone: reconnect, or mark the host
  /// down. Throws sdk::Failure(OFFLOAD_EIO) naming the host either way.
  [[noreturn]] void connection_lost(std::size_t host, const std::string& what, const std::string& last_error);
  int32_t run_command(Sandbox& sandbox, std::string_view command, int32_t stdin_fd, const offload_sink* output,
                      const offload_cancel* cancel);
  void kill_running(const Sandbox& sandbox);
  std::string problems() const;

  const offload_host_v1* m_host;
  Settings m_settings;
  std::map<std::string, std::string> m_env;
  std::optional<TempDir> m_control_dir;
  mutable std::mutex m_mutex;
  std::vector<HostState> m_hosts;
  std::vector<std::string> m_rejected; ///< malformed entries, as reported
  std::once_flag m_connected;
};

} // namespace offload::plugins::ssh
