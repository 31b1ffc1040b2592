// SPDX-License-Identifier: MIT
#include "default_provider.hpp"

#include "json_config.hpp"
#include "remote_command.hpp"
#include "shell.hpp"
#include "template.hpp"

#include <offload/plugin.hpp>

#include <filesystem>
#include <random>
#include <system_error>
#include <utility>

namespace offload::plugins {
namespace fs = std::filesystem;
using plugin_support::read_request;
using plugin_support::shell_quote;
using sdk::Collector;

namespace {

// The scripts this provider's documented setups call; named in the message
// for an unknown @script, because the host's own list cannot be read back.
constexpr const char* k_known_scripts[] = {"local_sandbox.sh", "modal_sandbox.py"};

/// The absolute path of a bundled script, or nothing when there is none of that name.
std::optional<std::string> bundled_path(const offload_host_v1* host, const std::string& name) {
  Collector path;
  if (host->bundled_script(host, name.c_str(), path.sink(), nullptr) != OFFLOAD_OK || path.data().empty()) {
    return std::nullopt;
  }
  return path.data().front();
}

std::vector<FileCopy> files_of(const nlohmann::json& request) {
  const auto files = request.find("files");
  if (files == request.end() || !files->is_array() || files->empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed download request: \"files\" must be a non-empty array");
  }
  std::vector<FileCopy> copies;
  for (const auto& file : *files) {
    FileCopy copy = read_request("download request", [&] {
      return FileCopy{plugin_support::string_or(file, "remote", ""), plugin_support::string_or(file, "local", "")};
    });
    if (copy.remote.empty() || copy.local.empty()) {
      throw sdk::Failure(OFFLOAD_EINVAL,
                         "malformed download request: each file needs \"remote\" and \"local\" paths");
    }
    copies.push_back(std::move(copy));
  }
  return copies;
}

std::string status_text(int32_t status) {
  return status > 128 ? "was killed by signal " + std::to_string(status - 128)
                      : "exited with status " + std::to_string(status);
}

std::string with_reason(const std::vector<std::string>& err) {
  const std::string line = last_line(err);
  return line.empty() ? " (no error output)" : ": " + line;
}

/// Removes the files a failed download may have left, unless it succeeded.
class PartialFiles {
public:
  explicit PartialFiles(std::vector<fs::path> paths) : m_paths(std::move(paths)) {}
  ~PartialFiles() {
    if (!m_done) {
      for (const auto& path : m_paths) {
        std::error_code ignored;
        fs::remove(path, ignored);
      }
    }
  }
  PartialFiles(const PartialFiles&) = delete;
  PartialFiles& operator=(const PartialFiles&) = delete;
  void done() noexcept { m_done = true; }

private:
  std::vector<fs::path> m_paths;
  bool m_done = false;
};

/// Keeps a command's stdout and passes its stderr to the host log, so a long
/// image build shows progress while it runs.
class LoggingCollector {
public:
  explicit LoggingCollector(const offload_host_v1* host) : m_host(host) {
    m_sink.struct_size = sizeof(offload_sink);
    m_sink.reserved = 0;
    m_sink.write = &LoggingCollector::write;
    m_sink.data = this;
  }
  LoggingCollector(const LoggingCollector&) = delete;
  LoggingCollector& operator=(const LoggingCollector&) = delete;

  const offload_sink* sink() const noexcept { return &m_sink; }
  const std::vector<std::string>& out() const noexcept { return m_out; }
  const std::vector<std::string>& err() const noexcept { return m_err; }

private:
  static int32_t write(void* self, uint32_t channel, const char* bytes, size_t len) {
    auto* c = static_cast<LoggingCollector*>(self);
    try {
      std::string line(bytes, len);
      if (channel == OFFLOAD_CHANNEL_STDERR) {
        sdk::Host(c->m_host).log(OFFLOAD_LOG_INFO, "prepare_command: " + line);
        c->m_err.push_back(std::move(line));
      } else {
        c->m_out.push_back(std::move(line));
      }
      return OFFLOAD_OK;
    } catch (...) {
      return OFFLOAD_ENOMEM;
    }
  }

  const offload_host_v1* m_host;
  offload_sink m_sink;
  std::vector<std::string> m_out;
  std::vector<std::string> m_err;
};

} // namespace

DefaultProvider::DefaultProvider(const offload_host_v1* host, std::string_view config_json)
    : DefaultProvider(host, shell_commands_from_config(
                                plugin_support::parse_object(config_json, "default provider configuration"))) {}

DefaultProvider::DefaultProvider(const offload_host_v1* host, ShellCommands commands)
    : m_host(host), m_commands(std::move(commands)) {
  const auto expand = [this](std::string& tmpl, const std::string& key) {
    tmpl = expand_script_tokens(tmpl, [&](const std::string& name) { return script_word(name, key); });
  };
  if (m_commands.prepare) {
    expand(*m_commands.prepare, "prepare_command");
  }
  expand(m_commands.create, "create_command");
  expand(m_commands.exec, "exec_command");
  expand(m_commands.download, "download_command");
  expand(m_commands.destroy, "destroy_command");
}

std::string DefaultProvider::key_of(const std::string& key) const {
  return m_commands.generated ? std::string() : key;
}

std::string DefaultProvider::script_word(const std::string& name, const std::string& key) const {
  if (const std::optional<std::string> path = bundled_path(m_host, name)) {
    return shell_quote(*path);
  }
  std::string known;
  for (const char* script : k_known_scripts) {
    if (bundled_path(m_host, script)) {
      known += (known.empty() ? "" : ", ") + std::string(script);
    }
  }
  throw sdk::Failure(OFFLOAD_EINVAL,
                     key + " refers to @" + name + ", but offload bundles no script '" + name +
                         "' (bundled: " + (known.empty() ? "none found" : known) + ")",
                     key_of(key));
}

nlohmann::json DefaultProvider::process_spec(const std::string& line, int64_t timeout_ms,
                                             const std::map<std::string, std::string>& env) const {
  nlohmann::json spec = {{"argv", {"/bin/sh", "-c", line}}, {"timeout_ms", timeout_ms}};
  if (m_commands.working_dir) {
    spec["cwd"] = *m_commands.working_dir;
  }
  if (!env.empty()) {
    spec["env"] = env;
  }
  return spec;
}

int32_t DefaultProvider::run_step(const std::string& key, const std::string& line, const offload_sink* output,
                                  const offload_cancel* cancel, const std::map<std::string, std::string>& env) const {
  try {
    return sdk::Host(m_host).run(
        plugin_support::json_text(process_spec(line, m_commands.timeout_secs * 1000, env)), output, cancel);
  } catch (const sdk::Failure& failure) {
    if (failure.code() == OFFLOAD_ETIMEDOUT) {
      throw sdk::Failure(OFFLOAD_ETIMEDOUT, key + " timed out after " + std::to_string(m_commands.timeout_secs) +
                                                " s (timeout_secs)");
    }
    if (failure.code() == OFFLOAD_ECANCELED) {
      throw sdk::Failure(OFFLOAD_ECANCELED, key + " was cancelled");
    }
    throw;
  }
}

std::string DefaultProvider::describe() {
  return plugin_support::json_text({{"remote", true}});
}

std::optional<std::string> DefaultProvider::prepare(std::string_view request, const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "prepare request");
  const auto [no_cache, extra_dirs] = read_request("prepare request", [&] {
    return std::pair(plugin_support::bool_or(req, "no_cache", false), plugin_support::string_list(req, "copy_dirs"));
  });
  if (!m_commands.prepare) {
    if (!extra_dirs.empty()) {
      throw sdk::Failure(OFFLOAD_EINVAL, "--copy-dir needs a prepare_command: directories are copied into the image",
                         key_of("prepare_command"));
    }
    return std::nullopt;
  }
  std::string line = *m_commands.prepare;
  const std::vector<std::string>* sources[] = {&m_commands.copy_dirs, &extra_dirs};
  for (const auto* dirs : sources) {
    for (const auto& spec : *dirs) {
      line += " --copy-dir=" + shell_quote(spec);
    }
  }
  if (no_cache && !m_commands.no_cache_flag.empty()) {
    line += " " + m_commands.no_cache_flag;
  }
  std::map<std::string, std::string> env;
  if (no_cache) {
    env["OFFLOAD_NO_CACHE"] = "1";
  }
  LoggingCollector output(m_host);
  const int32_t status = run_step("prepare_command", line, output.sink(), cancel, env);
  if (status != 0) {
    throw sdk::Failure(OFFLOAD_EIO, "prepare_command " + status_text(status) + with_reason(output.err()),
                       key_of("prepare_command"));
  }
  std::string image = last_line(output.out());
  if (image.empty()) {
    throw sdk::Failure(OFFLOAD_EIO, "prepare_command printed no image ID; its last line of output must be the ID",
                       key_of("prepare_command"));
  }
  return image;
}

std::unique_ptr<DefaultProvider::Sandbox> DefaultProvider::create_sandbox(std::string_view request,
                                                                          std::string& info_json,
                                                                          const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "create_sandbox request");
  auto sandbox = std::make_unique<Sandbox>();
  const std::optional<std::string> image = read_request("create_sandbox request", [&] {
    sandbox->env = plugin_support::string_table(req, "env");
    sandbox->project_root = plugin_support::optional_string(req, "project_root");
    return plugin_support::optional_string(req, "image_id");
  });
  if (!image && plugin_support::has_placeholder(m_commands.create, "image_id")) {
    throw sdk::Failure(OFFLOAD_EINVAL, "create_command needs {image_id}, but prepare_command made no image",
                       key_of("create_command"));
  }
  const std::string line =
      plugin_support::substitute(m_commands.create, {{"image_id", shell_quote(image.value_or(""))}});
  Collector created;
  const int32_t status = run_step("create_command", line, created.sink(), cancel);
  if (status != 0) {
    throw sdk::Failure(OFFLOAD_EAGAIN, "create_command " + status_text(status) + with_reason(created.err()));
  }
  sandbox->id = last_line(created.out());
  if (sandbox->id.empty()) {
    throw sdk::Failure(OFFLOAD_EIO, "create_command exited 0 but printed no sandbox ID" + with_reason(created.err()),
                       key_of("create_command"));
  }
  try {
    const std::string parent = plugin_support::substitute(m_commands.scratch_dir, {{"sandbox_id", sandbox->id}});
    if (!name_scratch_dir(*sandbox, parent)) {
      sandbox->scratch_dir = make_scratch_dir(*sandbox, parent, cancel);
    }
  } catch (const sdk::Failure&) {
    try {
      destroy_sandbox(*sandbox);
    } catch (const sdk::Failure& failure) {
      sdk::Host(m_host).log(OFFLOAD_LOG_WARN, failure.what());
    }
    throw;
  }
  info_json = plugin_support::json_text({{"id", sandbox->id}, {"scratch_dir", sandbox->scratch_dir}});
  return sandbox;
}

int32_t DefaultProvider::exec_in(const Sandbox& sandbox, const nlohmann::json& command, const offload_sink* output,
                                 const offload_cancel* cancel) const {
  const std::string line = plugin_support::substitute(
      m_commands.exec, {{"sandbox_id", shell_quote(sandbox.id)}, {"command", command_argument(sandbox, command)}});
  return run_step("exec_command", line, output, cancel);
}

bool DefaultProvider::name_scratch_dir(Sandbox& sandbox, const std::string& parent) const {
  if (parent.empty() || parent.front() != '/') {
    return false; // relative to where exec_command starts: only the sandbox can say where that is
  }
  // A name nobody can guess, made with mkdir (which fails on anything already
  // there) at mode 0700; if it exists, it must be a directory of this user's,
  // not a link: one this sandbox's earlier command made.
  static constexpr char k_alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::random_device random;
  std::string name = "offload-";
  for (int i = 0; i < 16; ++i) {
    name += k_alphabet[random() % (sizeof(k_alphabet) - 1)];
  }
  const std::string dir = parent + (parent.back() == '/' ? "" : "/") + name;
  const std::string d = shell_quote(dir);
  sandbox.scratch_dir = dir;
  sandbox.scratch_guard = "(umask 077 && mkdir -p -- " + shell_quote(parent) + " && { mkdir -- " + d +
                          " 2>/dev/null || { [ -d " + d + " ] && [ ! -L " + d + " ] && [ -O " + d +
                          " ]; }; }) || { echo " +
                          shell_quote("offload: cannot make a private directory in scratch_dir '" + parent + "' (" +
                                      dir + ")") +
                          " >&2; exit 125; }\n";
  return true;
}

std::string DefaultProvider::make_scratch_dir(const Sandbox& sandbox, std::string parent,
                                              const offload_cancel* cancel) const {
  // scratch_dir may be shared (/tmp, by default) and outlive the sandbox: a
  // fresh 0700 directory per sandbox keeps every result path unique to this
  // run, out of other users' reach, and removable at destroy.
  if (parent.front() == '-') {
    parent = "./" + parent;
  }
  // Made before the project is there, maybe: from the default directory,
  // and named absolutely so every later command finds it wherever it runs.
  Sandbox outside = sandbox;
  outside.project_root.reset();
  const nlohmann::json command = {{"shell", "umask 077 && mkdir -p " + shell_quote(parent) + " && d=$(mktemp -d " +
                                                shell_quote(parent + "/offload-XXXXXXXX") + ") && cd \"$d\" && pwd"}};
  Collector made;
  const int32_t status = exec_in(outside, command, made.sink(), cancel);
  const std::string dir = last_line(made.out());
  if (status != 0 || dir.empty()) {
    throw sdk::Failure(OFFLOAD_EAGAIN, "cannot make a private directory in scratch_dir '" + parent +
                                           "' of sandbox " + sandbox.id + ": " + status_text(status) +
                                           with_reason(made.err()));
  }
  return dir;
}

std::string DefaultProvider::command_argument(const Sandbox& sandbox, const nlohmann::json& command) const {
  const std::string script = sandbox.scratch_guard + plugin_support::command_to_shell(command);
  const auto command_env =
      read_request("exec command", [&] { return plugin_support::string_table(command, "env"); });
  // Later sources win: provider config, then the sandbox, then the command.
  // OFFLOAD_ROOT names the project inside the sandbox, so it is only set
  // when that place is known; a path on this machine would mislead.
  std::map<std::string, std::string> env = m_commands.env;
  for (const auto* source : {&sandbox.env, &command_env}) {
    for (const auto& [name, value] : *source) {
      env.insert_or_assign(name, value);
    }
  }
  if (sandbox.project_root) {
    env.insert_or_assign("OFFLOAD_ROOT", *sandbox.project_root);
  } else {
    env.erase("OFFLOAD_ROOT");
  }
  return shell_quote(remote_script(sandbox.project_root, env, script));
}

nlohmann::json DefaultProvider::exec_spec(const Sandbox& sandbox, std::string_view command) const {
  const nlohmann::json parsed = plugin_support::parse_object(command, "exec command");
  const int64_t timeout_ms =
      read_request("exec command", [&] { return plugin_support::int_or(parsed, "timeout_ms", 0); });
  if (timeout_ms < 0) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed exec command: \"timeout_ms\" is negative");
  }
  const std::string line = plugin_support::substitute(
      m_commands.exec,
      {{"sandbox_id", shell_quote(sandbox.id)}, {"command", command_argument(sandbox, parsed)}});
  return process_spec(line, timeout_ms);
}

int32_t DefaultProvider::exec(Sandbox& sandbox, std::string_view command, const offload_sink* output,
                              const offload_cancel* cancel) {
  return sdk::Host(m_host).run(plugin_support::json_text(exec_spec(sandbox, command)), output, cancel);
}

int32_t DefaultProvider::exec_stdin(Sandbox& sandbox, std::string_view command, int32_t stdin_fd,
                                    const offload_sink* output, const offload_cancel* cancel) {
  // exec_command inherits the fd as its stdin; ssh, docker exec -i,
  // kubectl exec -i and the bundled scripts pass it on to the command.
  nlohmann::json spec = exec_spec(sandbox, command);
  spec["stdin_fd"] = stdin_fd;
  return sdk::Host(m_host).run(plugin_support::json_text(spec), output, cancel);
}

void DefaultProvider::download(Sandbox& sandbox, std::string_view request, const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "download request");
  const std::vector<FileCopy> files = files_of(req);
  // The command writes next to each target and the copies are renamed only
  // once it succeeded, so a download cut short leaves nothing half-written.
  std::vector<FileCopy> staged;
  std::vector<fs::path> partial;
  for (const FileCopy& file : files) {
    staged.push_back({file.remote, file.local + ".offload-partial"});
    partial.emplace_back(staged.back().local);
  }
  PartialFiles cleanup(partial);
  const std::string line = plugin_support::substitute(
      m_commands.download, {{"sandbox_id", shell_quote(sandbox.id)}, {"paths", paths_argument(staged)}});
  Collector copied;
  const int32_t status = run_step("download_command", line, copied.sink(), cancel);
  if (status == 0) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      std::error_code ec;
      if (!fs::is_regular_file(partial[i], ec)) {
        throw sdk::Failure(OFFLOAD_EIO, "download_command exited 0 but did not write " + files[i].local +
                                            " (from " + files[i].remote + " in sandbox " + sandbox.id + ")");
      }
      fs::rename(partial[i], files[i].local, ec);
      if (ec) {
        throw sdk::Failure(OFFLOAD_EIO, "cannot move the downloaded result to " + files[i].local + ": " +
                                            ec.message());
      }
    }
    cleanup.done();
    return;
  }

  // Tell "the runner wrote nothing" (the host then looks at each test alone)
  // from "the transfer broke" (the host retries elsewhere).
  const std::string failure = "download_command " + status_text(status) + with_reason(copied.err());
  for (const FileCopy& file : files) {
    int32_t tested = -1;
    try {
      tested = exec_in(sandbox, {{"argv", {"test", "-f", file.remote}}}, nullptr, cancel);
    } catch (const sdk::Failure& probe_failure) {
      if (probe_failure.code() == OFFLOAD_ECANCELED) {
        throw;
      }
      throw sdk::Failure(OFFLOAD_EIO, failure);
    }
    if (tested == 1) {
      throw sdk::Failure(OFFLOAD_ENOENT,
                         "result file " + file.remote + " does not exist in sandbox " + sandbox.id);
    }
  }
  throw sdk::Failure(OFFLOAD_EIO, failure);
}

void DefaultProvider::destroy_sandbox(Sandbox& sandbox) {
  if (!sandbox.scratch_dir.empty() && !m_commands.destroy_removes_scratch) {
    // Best effort: destroy_command may remove it too, and must run anyway.
    try {
      Sandbox unguarded = sandbox;
      unguarded.scratch_guard.clear();
      exec_in(unguarded, {{"argv", {"rm", "-rf", "--", sandbox.scratch_dir}}}, nullptr, nullptr);
    } catch (const sdk::Failure& failure) {
      sdk::Host(m_host).log(OFFLOAD_LOG_WARN, "cannot remove the scratch directory of sandbox " + sandbox.id +
                                                  ": " + failure.what());
    }
  }
  const std::string line = plugin_support::substitute(m_commands.destroy, {{"sandbox_id", shell_quote(sandbox.id)}});
  Collector destroyed;
  const int32_t status = run_step("destroy_command", line, destroyed.sink(), nullptr);
  if (status != 0) {
    throw sdk::Failure(OFFLOAD_EIO, "destroy_command " + status_text(status) + " for sandbox " + sandbox.id +
                                        with_reason(destroyed.err()));
  }
}

} // namespace offload::plugins
