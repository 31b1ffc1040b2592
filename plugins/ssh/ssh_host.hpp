// SPDX-License-Identifier: MIT
#pragma once

#include "host_entry.hpp"
#include "local_run.hpp"

#include <offload/plugin.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace offload::plugins::ssh {

/// What every host of one provider shares.
struct Settings {
  int64_t slots = 0;                  ///< per host; 0 = the host's nproc
  std::string work_root;              ///< on each host; relative = from the login directory
  std::vector<std::string> copy_dirs; ///< "local:remote", remote relative to the project
  std::vector<std::string> exclude;   ///< rsync patterns left out of the project copy
  int64_t connect_timeout_secs = 10;
  std::filesystem::path project;      ///< the local directory copied to each host
  std::filesystem::path control_dir;  ///< private: control sockets, key and known_hosts links
  bool has_identity = false;          ///< control_dir/identity links to identity_file
  bool has_known_hosts = false;       ///< control_dir/known_hosts links to known_hosts
};

/// One machine of the fleet reached over one multiplexed ssh connection.
/// Every command goes through the master connection started by connect();
/// host, user and paths reach ssh and rsync as argv elements and the remote
/// shell only quoted.
class SshHost {
public:
  SshHost(const offload_host_v1* host, HostEntry entry, const Settings& settings, std::size_t index);

  const HostEntry& entry() const noexcept { return m_entry; }
  /// "ssh host 'user@host:port'" for messages.
  std::string name() const { return "ssh host " + m_entry.label(); }

  /// Starts the master connection, asks for the core count, makes this
  /// run's directory and copies the project (and `extra_copy_dirs`) over.
  /// Throws sdk::Failure(OFFLOAD_EIO) with a message naming the host.
  void connect(const std::vector<std::string>& extra_copy_dirs, const offload_cancel* cancel);
  /// Stops the master connection (clients still attached are cut off).
  void disconnect();

  /// True while the master connection answers.
  bool master_alive() const;
  /// Starts the master again after a drop; false (with `why`) when the host cannot be reached.
  bool reconnect(std::string& why);

  int64_t slots() const noexcept { return m_slots; }
  const std::string& run_dir() const noexcept { return m_run_dir; }
  /// A 0700 directory in run_dir that this run's sandboxes on the host share (OFFLOAD_SHARED_DIR).
  std::string shared_dir() const { return m_run_dir + "/shared"; }
  const std::string& project_dir() const noexcept { return m_project_dir; }

  /// argv running `remote_command` (one shell command line) on the host.
  std::vector<std::string> ssh_argv(const std::string& remote_command) const;
  /// Runs a short remote command line, output collected.
  Ran run(const std::string& remote_command, int64_t timeout_ms, const offload_cancel* cancel) const;
  /// Copies remote file `remote` to `local` (rsync writes a temporary file and renames it).
  Ran fetch(const std::string& remote, const std::string& local, const offload_cancel* cancel) const;

private:
  std::vector<std::string> options(bool master) const;
  /// "ssh", the options, then `tail`.
  std::vector<std::string> ssh_with(std::vector<std::string> tail, bool master = false) const;
  std::string rsync_shell() const;
  std::string rsync_target(const std::string& path) const;
  Ran rsync(std::vector<std::string> args, const offload_cancel* cancel) const;
  /// connect() once the master is up: directories, core count, project copy.
  void set_up(const std::vector<std::string>& extra_copy_dirs, const offload_cancel* cancel);
  void sync_project(const std::vector<std::string>& copy_dirs, const offload_cancel* cancel);
  [[noreturn]] void fail(const std::string& what, const std::string& reason) const;

  const offload_host_v1* m_host;
  HostEntry m_entry;
  const Settings& m_settings;
  std::string m_control_path;
  int64_t m_slots = 0;
  std::string m_root;
  std::string m_run_dir;
  std::string m_project_dir;
};

} // namespace offload::plugins::ssh
