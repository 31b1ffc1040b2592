// SPDX-License-Identifier: MIT
#include "ssh_provider.hpp"

#include "remote_command.hpp"
#include "json_config.hpp"
#include "shell.hpp"
#include "ssh_config.hpp"

#include <offload/plugin.hpp>

#include <algorithm>
#include <cstdlib>
#include <system_error>
#include <thread>

namespace offload::plugins::ssh {
namespace fs = std::filesystem;
using plugin_support::read_request;
using plugin_support::shell_quote;

namespace {

bool is_safe_path(const std::string& path) {
  for (const char c : path) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

/// Where the control sockets go: a socket path must stay short, and rsync's
/// -e value (which names them) is split at spaces, so TMPDIR is used only
/// when it is short and plain.
fs::path control_parent() {
  const char* tmpdir = std::getenv("TMPDIR");
  if (tmpdir != nullptr && fs::path(tmpdir).is_absolute() && std::string(tmpdir).size() < 60 &&
      is_safe_path(tmpdir)) {
    return tmpdir;
  }
  return "/tmp";
}

std::string file_name_part(const std::string& id) {
  std::string part;
  for (const char c : id.substr(0, 64)) {
    const bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.';
    part += safe ? c : '_';
  }
  return part;
}

/// Kills the process group of the command running in a sandbox, if any.
std::string kill_running_command(const std::string& sandbox_dir) {
  const std::string pid_file = shell_quote(sandbox_dir + "/pid");
  return "p=$(cat -- " + pid_file + " 2>/dev/null) && [ -n \"$p\" ] && kill -KILL -- \"-$p\"; rm -f -- " + pid_file;
}

void link_into(const fs::path& dir, const char* name, const std::optional<fs::path>& target) {
  if (target) {
    fs::create_symlink(*target, dir / name);
  }
}

} // namespace

SshProvider::SshProvider(const offload_host_v1* host, std::string_view config_json) : m_host(host) {
  Config config = read_config(config_json);
  m_settings = std::move(config.settings);
  m_env = std::move(config.env);
  m_rejected = std::move(config.rejected);
  m_control_dir.emplace(control_parent(), "offload-ssh-");
  m_settings.control_dir = m_control_dir->path();
  // ssh gets the user's key and known_hosts through links in the private
  // directory, so no user path ever has to survive rsync's word splitting.
  link_into(m_settings.control_dir, "identity", config.identity_file);
  link_into(m_settings.control_dir, "known_hosts", config.known_hosts);
  m_settings.has_identity = config.identity_file.has_value();
  m_settings.has_known_hosts = config.known_hosts.has_value();
  for (std::size_t i = 0; i < config.hosts.size(); ++i) {
    HostState state;
    state.ssh = std::make_unique<SshHost>(m_host, std::move(config.hosts[i]), m_settings, i);
    m_hosts.push_back(std::move(state));
  }
  for (const std::string& line : m_rejected) {
    sdk::Host(m_host).log(OFFLOAD_LOG_ERROR, line + "; the other hosts go on");
  }
}

SshProvider::~SshProvider() {
  std::vector<std::thread> closing;
  for (HostState& state : m_hosts) {
    if (state.connected && state.down.empty()) {
      closing.emplace_back([&state] {
        state.ssh->run("rm -rf -- " + shell_quote(state.ssh->run_dir()), 30'000, nullptr);
        state.ssh->disconnect();
      });
    }
  }
  for (std::thread& thread : closing) {
    thread.join();
  }
}

std::string SshProvider::describe() {
  return plugin_support::json_text({{"remote", true}});
}

void SshProvider::connect_all(const std::vector<std::string>& copy_dirs, const offload_cancel* cancel) {
  std::call_once(m_connected, [&] {
    std::vector<std::thread> connecting;
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
      connecting.emplace_back([this, i, &copy_dirs, cancel] {
        HostState& state = m_hosts[i];
        try {
          state.ssh->connect(copy_dirs, cancel);
          const std::lock_guard lock(m_mutex);
          state.connected = true;
        } catch (const std::exception& e) {
          mark_down(i, e.what());
        }
      });
    }
    for (std::thread& thread : connecting) {
      thread.join();
    }
    if (sdk::Host(m_host).cancelled(cancel)) {
      throw sdk::Failure(OFFLOAD_ECANCELED, "connecting to the ssh hosts was cancelled");
    }
    if (usable_hosts().empty()) {
      throw sdk::Failure(OFFLOAD_EIO, "no ssh host could be used: " + problems());
    }
  });
}

std::optional<std::string> SshProvider::prepare(std::string_view request, const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "prepare request");
  const std::vector<std::string> copy_dirs =
      read_request("prepare request", [&] { return plugin_support::string_list(req, "copy_dirs"); });
  check_copy_dirs_for_ssh(copy_dirs, "");
  connect_all(copy_dirs, cancel);
  return std::nullopt;
}

std::vector<std::pair<std::string, int64_t>> SshProvider::usable_hosts() const {
  const std::lock_guard lock(m_mutex);
  std::vector<std::pair<std::string, int64_t>> usable;
  for (const HostState& state : m_hosts) {
    if (state.connected && state.down.empty()) {
      usable.emplace_back(state.ssh->entry().text, state.ssh->slots());
    }
  }
  return usable;
}

std::string SshProvider::problems() const {
  std::string text;
  for (const std::string& line : m_rejected) {
    text += (text.empty() ? "" : "; ") + line;
  }
  const std::lock_guard lock(m_mutex);
  for (const HostState& state : m_hosts) {
    if (!state.down.empty()) {
      text += (text.empty() ? "" : "; ") + state.down;
    }
  }
  return text;
}

void SshProvider::mark_down(std::size_t host, const std::string& why) {
  {
    const std::lock_guard lock(m_mutex);
    if (!m_hosts[host].down.empty()) {
      return;
    }
    m_hosts[host].down = why;
  }
  sdk::Host(m_host).log(OFFLOAD_LOG_ERROR, why + "; no more sandboxes go there, the other hosts go on");
}

void SshProvider::check_up(std::size_t host) const {
  const std::lock_guard lock(m_mutex);
  if (!m_hosts[host].down.empty()) {
    throw sdk::Failure(OFFLOAD_EIO, m_hosts[host].down);
  }
}

// The least loaded host (by share of its slots) that is up and has a free slot.
std::size_t SshProvider::reserve_slot() {
  const std::lock_guard lock(m_mutex);
  std::optional<std::size_t> best;
  int64_t total = 0;
  std::size_t up = 0;
  for (std::size_t i = 0; i < m_hosts.size(); ++i) {
    const HostState& state = m_hosts[i];
    if (!state.connected || !state.down.empty()) {
      continue;
    }
    ++up;
    total += state.ssh->slots();
    if (state.active >= state.ssh->slots()) {
      continue;
    }
    // a/b < c/d without division: a*d < c*b.
    if (!best || state.active * m_hosts[*best].ssh->slots() < m_hosts[*best].active * state.ssh->slots()) {
      best = i;
    }
  }
  if (up == 0) {
    throw sdk::Failure(OFFLOAD_EIO, "no ssh host is left to create a sandbox on");
  }
  if (!best) {
    throw sdk::Failure(OFFLOAD_EAGAIN, "all " + std::to_string(total) + " slots of the " + std::to_string(up) +
                                           " usable ssh hosts are taken; lower max_parallel or raise slots");
  }
  ++m_hosts[*best].active;
  return *best;
}

void SshProvider::release_slot(std::size_t host) {
  const std::lock_guard lock(m_mutex);
  --m_hosts[host].active;
}

std::unique_ptr<SshProvider::Sandbox> SshProvider::create_sandbox(std::string_view request, std::string& info_json,
                                                                  const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "create_sandbox request");
  auto sandbox = std::make_unique<Sandbox>();
  std::optional<std::string> project_root;
  read_request("create_sandbox request", [&] {
    sandbox->id = plugin_support::string_or(req, "id", "");
    sandbox->env = plugin_support::string_table(req, "env");
    project_root = plugin_support::optional_string(req, "project_root");
  });
  if (sandbox->id.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed create_sandbox request: \"id\" is missing or empty");
  }
  connect_all({}, cancel);
  while (true) {
    const std::size_t host = reserve_slot();
    SshHost& ssh = *m_hosts[host].ssh;
    const Ran made = ssh.run("d=$(mktemp -d " + shell_quote(ssh.run_dir() + "/" + file_name_part(sandbox->id)) +
                                 "-XXXXXX) && mkdir -- \"$d/tmp\" && printf '%s\\n' \"$d\"",
                             60'000, cancel);
    if (made.ok() && !made.out.empty()) {
      sandbox->host = host;
      sandbox->dir = made.out.back();
      break;
    }
    release_slot(host);
    if (made.rc == OFFLOAD_ECANCELED) {
      throw sdk::Failure(OFFLOAD_ECANCELED, "creating sandbox " + sandbox->id + " was cancelled");
    }
    if (ssh.master_alive()) {
      throw sdk::Failure(OFFLOAD_EIO, ssh.name() + ": cannot make a sandbox directory in " + ssh.run_dir() + ": " +
                                          made.reason());
    }
    mark_down(host, ssh.name() + " (" + ssh.entry().where + ") dropped its connection: " + made.reason());
  }
  const SshHost& ssh = *m_hosts[sandbox->host].ssh;
  const std::string& project = ssh.project_dir();
  sandbox->cwd = !project_root ? project : fs::path(*project_root).is_absolute() ? *project_root
                                                                                  : project + "/" + *project_root;
  info_json = plugin_support::json_text(
      {{"id", ssh.entry().text + ":" + sandbox->dir}, {"scratch_dir", sandbox->dir + "/tmp"}});
  return sandbox;
}

int32_t SshProvider::exec(Sandbox& sandbox, std::string_view command, const offload_sink* output,
                          const offload_cancel* cancel) {
  return run_command(sandbox, command, -1, output, cancel);
}

int32_t SshProvider::exec_stdin(Sandbox& sandbox, std::string_view command, int32_t stdin_fd,
                                const offload_sink* output, const offload_cancel* cancel) {
  if (stdin_fd < 0) {
    throw sdk::Failure(OFFLOAD_EINVAL, "exec_stdin needs a readable file descriptor, not " + std::to_string(stdin_fd));
  }
  return run_command(sandbox, command, stdin_fd, output, cancel);
}

int32_t SshProvider::run_command(Sandbox& sandbox, std::string_view command, int32_t stdin_fd,
                                 const offload_sink* output, const offload_cancel* cancel) {
  check_up(sandbox.host);
  SshHost& ssh = *m_hosts[sandbox.host].ssh;
  const nlohmann::json parsed = plugin_support::parse_object(command, "exec command");
  const std::string script = plugin_support::command_to_shell(parsed);
  auto [command_env, timeout_ms] = read_request("exec command", [&] {
    return std::pair(plugin_support::string_table(parsed, "env"), plugin_support::int_or(parsed, "timeout_ms", 0));
  });
  if (timeout_ms < 0) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed exec command: \"timeout_ms\" is negative");
  }
  std::map<std::string, std::string> env = m_env;
  for (const auto* source : {&sandbox.env, &command_env}) {
    for (const auto& [name, value] : *source) {
      env.insert_or_assign(name, value);
    }
  }
  env.insert_or_assign("TMPDIR", sandbox.dir + "/tmp");
  env.insert_or_assign("OFFLOAD_SANDBOX_ID", sandbox.id);
  env.insert_or_assign("OFFLOAD_ROOT", sandbox.cwd);
  env.insert_or_assign("OFFLOAD_SHARED_DIR", ssh.shared_dir());
  // The login shell is the session leader of the command: its pid, kept
  // while the command runs, names the process group to kill when the
  // command is stopped here (ssh does not pass the stop on).
  const std::string pid_file = shell_quote(sandbox.dir + "/pid");
  const std::string remote = "echo $$ > " + pid_file + " || exit 255\n/bin/sh -c " +
                             shell_quote(remote_script(sandbox.cwd, env, script)) + "\nstatus=$?\nrm -f -- " +
                             pid_file + "\nexit $status";
  nlohmann::json spec = {{"argv", ssh.ssh_argv(remote)}, {"timeout_ms", timeout_ms}};
  if (stdin_fd >= 0) {
    spec["stdin_fd"] = stdin_fd;
  }
  TeeSink tee(output);
  int32_t status = -1;
  try {
    status = sdk::Host(m_host).run(plugin_support::json_text(spec), tee.sink(), cancel);
  } catch (const sdk::Failure& failure) {
    if (failure.code() == OFFLOAD_ETIMEDOUT || failure.code() == OFFLOAD_ECANCELED) {
      kill_running(sandbox);
    }
    throw;
  }
  if (status == 255 && !ssh.master_alive()) {
    connection_lost(sandbox.host, "while a command ran in sandbox " + sandbox.id, tee.last_error_line());
  }
  return status;
}

void SshProvider::connection_lost(std::size_t host, const std::string& what, const std::string& last_error) {
  SshHost& ssh = *m_hosts[host].ssh;
  const std::string lost = ssh.name() + " (" + ssh.entry().where + ") lost its connection " + what +
                           (last_error.empty() ? "" : " (" + last_error + ")");
  {
    const std::lock_guard serial(*m_hosts[host].reconnecting);
    check_up(host);
    std::string why;
    if (ssh.master_alive() || ssh.reconnect(why)) {
      throw sdk::Failure(OFFLOAD_EIO, lost + "; reconnected");
    }
    mark_down(host, lost + "; reconnecting failed: " + why);
  }
  check_up(host);
  throw sdk::Failure(OFFLOAD_EIO, lost); // another thread brought the host back meanwhile
}

void SshProvider::kill_running(const Sandbox& sandbox) {
  m_hosts[sandbox.host].ssh->run(kill_running_command(sandbox.dir), 15'000, nullptr);
}

void SshProvider::download(Sandbox& sandbox, std::string_view request, const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "download request");
  const auto files = req.find("files");
  if (files == req.end() || !files->is_array()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed download request: \"files\" must be an array");
  }
  SshHost& ssh = *m_hosts[sandbox.host].ssh;
  for (const auto& file : *files) {
    auto [remote, local] = read_request("download request", [&] {
      return std::pair(plugin_support::string_or(file, "remote", ""), plugin_support::string_or(file, "local", ""));
    });
    if (remote.empty() || local.empty()) {
      throw sdk::Failure(OFFLOAD_EINVAL, "malformed download request: each file needs \"remote\" and \"local\" paths");
    }
    check_up(sandbox.host);
    const std::string from = remote.front() == '/' ? remote : sandbox.cwd + "/" + remote;
    const Ran fetched = ssh.fetch(from, local, cancel);
    if (fetched.ok()) {
      continue;
    }
    if (fetched.rc == OFFLOAD_ECANCELED) {
      throw sdk::Failure(OFFLOAD_ECANCELED, "download from sandbox " + sandbox.id + " was cancelled");
    }
    const std::string reason = fetched.reason();
    const bool missing = std::any_of(fetched.err.begin(), fetched.err.end(), [](const std::string& line) {
      return line.find("No such file or directory") != std::string::npos;
    });
    if (missing && ssh.master_alive()) {
      throw sdk::Failure(OFFLOAD_ENOENT, "result file '" + remote + "' does not exist in sandbox " + sandbox.id);
    }
    if (!ssh.master_alive()) {
      connection_lost(sandbox.host, "while downloading from sandbox " + sandbox.id, reason);
    }
    throw sdk::Failure(OFFLOAD_EIO, ssh.name() + ": cannot download '" + remote + "' from sandbox " + sandbox.id + ": " +
                                        reason);
  }
}

void SshProvider::destroy_sandbox(Sandbox& sandbox) {
  release_slot(sandbox.host);
  {
    const std::lock_guard lock(m_mutex);
    if (!m_hosts[sandbox.host].down.empty()) {
      return;
    }
  }
  const std::string dir = shell_quote(sandbox.dir);
  SshHost& ssh = *m_hosts[sandbox.host].ssh;
  const Ran removed = ssh.run(kill_running_command(sandbox.dir) + "; chmod -R u+w -- " + dir +
                                  " 2>/dev/null; rm -rf -- " + dir,
                              30'000, nullptr);
  if (!removed.ok()) {
    throw sdk::Failure(OFFLOAD_EIO, ssh.name() + ": cannot remove sandbox directory " + sandbox.dir + ": " +
                                        removed.reason());
  }
}

} // namespace offload::plugins::ssh
