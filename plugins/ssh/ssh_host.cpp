// SPDX-License-Identifier: MIT
#include "ssh_host.hpp"

#include "shell.hpp"

#include <offload/plugin.hpp>

#include <charconv>
#include <cstdio>
#include <system_error>

namespace offload::plugins::ssh {
namespace fs = std::filesystem;
using plugin_support::shell_quote;

namespace {

/// A stable name for this project's copy on a host, so a later run only
/// sends what changed, and two host entries that share one file system
/// (two accounts, or test "hosts" on one machine) do not share a copy.
std::string copy_key(const fs::path& project, const std::string& entry) {
  uint64_t hash = 1469598103934665603ull;
  for (const char c : project.string() + '\n' + entry) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

/// REMOTE of a LOCAL:REMOTE copy_dirs entry (checked by check_copy_dirs_for_ssh):
/// a path inside the project copy.
std::string copy_dir_remote(const std::string& spec) {
  return spec.substr(spec.find(':') + 1);
}

std::string hint_for(const std::string& reason) {
  if (reason.find("Host key verification failed") != std::string::npos ||
      reason.find("host key") != std::string::npos) {
    return " (the host's key is not in known_hosts or differs from it; strict host key checking stays on)";
  }
  if (reason.find("Permission denied") != std::string::npos) {
    return " (the host refused the key)";
  }
  return "";
}

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) {
    text += (text.empty() ? "" : " ") + word;
  }
  return text;
}

} // namespace

SshHost::SshHost(const offload_host_v1* host, HostEntry entry, const Settings& settings, std::size_t index)
    : m_host(host),
      m_entry(std::move(entry)),
      m_settings(settings),
      m_control_path((settings.control_dir / ("c" + std::to_string(index))).string()) {}

// ssh takes the first value given for an option, so the master's mode is
// decided here rather than appended.
std::vector<std::string> SshHost::options(bool master) const {
  std::vector<std::string> opts = {
      "-o", "BatchMode=yes",
      "-o", "StrictHostKeyChecking=yes",
      "-o", "UpdateHostKeys=no",
      "-o", master ? "ControlMaster=yes" : "ControlMaster=no",
      "-o", "ControlPath=" + m_control_path,
      "-o", "ConnectTimeout=" + std::to_string(m_settings.connect_timeout_secs),
      "-o", "ServerAliveInterval=5",
      "-o", "ServerAliveCountMax=3",
      "-o", "LogLevel=ERROR",
      "-T",
  };
  if (m_entry.port != 0) {
    opts.insert(opts.end(), {"-p", std::to_string(m_entry.port)});
  }
  if (!m_entry.user.empty()) {
    opts.insert(opts.end(), {"-l", m_entry.user});
  }
  if (m_settings.has_identity) {
    opts.insert(opts.end(), {"-i", (m_settings.control_dir / "identity").string(), "-o", "IdentitiesOnly=yes"});
  }
  if (m_settings.has_known_hosts) {
    opts.insert(opts.end(), {"-o", "UserKnownHostsFile=" + (m_settings.control_dir / "known_hosts").string(),
                             "-o", "GlobalKnownHostsFile=/dev/null"});
  }
  return opts;
}

std::vector<std::string> SshHost::ssh_with(std::vector<std::string> tail, bool master) const {
  std::vector<std::string> argv = {"ssh"};
  const std::vector<std::string> opts = options(master);
  argv.insert(argv.end(), opts.begin(), opts.end());
  argv.insert(argv.end(), std::make_move_iterator(tail.begin()), std::make_move_iterator(tail.end()));
  return argv;
}

std::vector<std::string> SshHost::ssh_argv(const std::string& remote_command) const {
  return ssh_with({m_entry.host, remote_command});
}

// rsync splits its -e value at spaces; every word here is free of spaces
// and quotes (user and port are checked, the paths are in control_dir).
std::string SshHost::rsync_shell() const {
  return "ssh " + join(options(false));
}

std::string SshHost::rsync_target(const std::string& path) const {
  return (m_entry.ipv6 ? "[" + m_entry.host + "]" : m_entry.host) + ":" + path;
}

Ran SshHost::run(const std::string& remote_command, int64_t timeout_ms, const offload_cancel* cancel) const {
  return run_collect(m_host, ssh_argv(remote_command), timeout_ms, cancel);
}

Ran SshHost::rsync(std::vector<std::string> args, const offload_cancel* cancel) const {
  // -s: file names travel inside rsync's protocol, not through the remote shell.
  std::vector<std::string> argv = {"rsync", "-s", "-e", rsync_shell()};
  argv.insert(argv.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
  return run_collect(m_host, argv, 0, cancel);
}

Ran SshHost::fetch(const std::string& remote, const std::string& local, const offload_cancel* cancel) const {
  return rsync({"--", rsync_target(remote), local}, cancel);
}

void SshHost::fail(const std::string& what, const std::string& reason) const {
  throw sdk::Failure(OFFLOAD_EIO, name() + " (" + m_entry.where + "): " + what + ": " + reason + hint_for(reason));
}

void SshHost::connect(const std::vector<std::string>& extra_copy_dirs, const offload_cancel* cancel) {
  std::string why;
  if (!reconnect(why)) {
    fail("cannot connect", why);
  }
  try {
    set_up(extra_copy_dirs, cancel);
  } catch (...) {
    disconnect();
    throw;
  }
}

void SshHost::set_up(const std::vector<std::string>& extra_copy_dirs, const offload_cancel* cancel) {
  std::vector<std::string> copy_dirs = m_settings.copy_dirs;
  copy_dirs.insert(copy_dirs.end(), extra_copy_dirs.begin(), extra_copy_dirs.end());
  // The project's directories are made by the probe, relative to the work
  // root: one round trip fewer before the first sandbox of the host.
  const std::string project = "project-" + copy_key(m_settings.project, m_entry.text);
  std::string mkdirs = "mkdir -p -- " + shell_quote(project);
  for (const std::string& spec : copy_dirs) {
    mkdirs += " " + shell_quote(project + "/" + copy_dir_remote(spec));
  }
  const Ran probe = run("mkdir -p -- " + shell_quote(m_settings.work_root) + " && cd -- " +
                            shell_quote(m_settings.work_root) +
                            " && pwd -P && { nproc 2>/dev/null || getconf _NPROCESSORS_ONLN; }"
                            " && r=$(mktemp -d \"$PWD/run-XXXXXX\") && mkdir -m 700 -- \"$r/shared\""
                            " && printf '%s\\n' \"$r\" && " +
                            mkdirs,
                        60'000, cancel);
  if (!probe.ok() || probe.out.size() < 3) {
    fail("cannot make a work directory under work_root '" + m_settings.work_root + "'", probe.reason());
  }
  m_root = probe.out[0];
  int64_t cores = 0;
  const std::string& text = probe.out[1];
  std::from_chars(text.data(), text.data() + text.size(), cores);
  m_slots = m_settings.slots > 0 ? m_settings.slots : std::max<int64_t>(1, cores);
  m_run_dir = probe.out[2];
  m_project_dir = m_root + "/" + project;
  sync_project(copy_dirs, cancel);
}

void SshHost::sync_project(const std::vector<std::string>& copy_dirs, const offload_cancel* cancel) {
  std::vector<std::string> args = {"-a", "--delete", "--exclude=/.git"};
  for (const std::string& pattern : m_settings.exclude) {
    args.push_back("--exclude=" + pattern);
  }
  for (const std::string& spec : copy_dirs) {
    args.push_back("--exclude=/" + copy_dir_remote(spec));
  }
  args.insert(args.end(), {"--", m_settings.project.string() + "/", rsync_target(m_project_dir + "/")});
  if (const Ran synced = rsync(args, cancel); !synced.ok()) {
    fail("cannot copy the project with rsync", synced.reason());
  }
  for (const std::string& spec : copy_dirs) {
    const std::string local = fs::absolute(spec.substr(0, spec.find(':'))).lexically_normal().string();
    const std::string remote = m_project_dir + "/" + copy_dir_remote(spec);
    const Ran copied = rsync({"-a", "--delete", "--", local + "/", rsync_target(remote + "/")}, cancel);
    if (!copied.ok()) {
      fail("cannot copy copy_dirs entry '" + spec + "' with rsync", copied.reason());
    }
  }
}

bool SshHost::reconnect(std::string& why) {
  std::error_code ignored;
  fs::remove(m_control_path, ignored);
  // -f: ssh detaches once authenticated and serves every later command.
  // It must outlive this call, whose whole process group is killed when the
  // call ends; ssh's own detaching could lose that race, so setsid -w puts
  // it into a session of its own first and waits for it to authenticate.
  std::vector<std::string> argv = ssh_with({"-o", "ControlPersist=no", "-N", "-f", m_entry.host}, true);
  argv.insert(argv.begin(), {"setsid", "-w"});
  const Ran master = run_collect(m_host, argv, (m_settings.connect_timeout_secs + 20) * 1000, nullptr);
  if (!master.ok()) {
    why = master.reason();
    return false;
  }
  if (!master_alive()) {
    why = "the master connection exited right after it was made";
    return false;
  }
  return true;
}

bool SshHost::master_alive() const {
  return run_collect(m_host, ssh_with({"-O", "check", m_entry.host}), 10'000, nullptr).ok();
}

void SshHost::disconnect() {
  run_collect(m_host, ssh_with({"-O", "exit", m_entry.host}), 10'000, nullptr);
}

} // namespace offload::plugins::ssh
