// SPDX-License-Identifier: MIT
#include "local_provider.hpp"

#include "json_config.hpp"
#include "shell.hpp"

#include <offload/plugin.hpp>

#include <unistd.h>

#include <cstdlib>
#include <system_error>
#include <utility>
#include <vector>

namespace offload::plugins {
namespace fs = std::filesystem;
using plugin_support::read_request;

namespace {

fs::path absolute_dir(const fs::path& path) {
  fs::path normal = fs::absolute(path).lexically_normal();
  if (!normal.has_filename() && normal != normal.root_path()) {
    normal = normal.parent_path();
  }
  return normal;
}

bool is_executable_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

/// The shell as an absolute path: relative paths start at working_dir, bare
/// names are looked up in PATH now, so a sandbox's env cannot change which
/// shell runs.
fs::path resolve_shell(const std::string& shell, const fs::path& working_dir) {
  if (shell.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "shell is empty; expected a shell such as /bin/sh", "shell");
  }
  if (shell.find('/') != std::string::npos) {
    const fs::path path = (working_dir / shell).lexically_normal();
    if (!is_executable_file(path)) {
      throw sdk::Failure(OFFLOAD_EINVAL, "shell '" + path.string() + "' is not an executable file",
                         "shell");
    }
    return path;
  }
  const char* search = std::getenv("PATH");
  std::string_view dirs = search != nullptr ? search : "/usr/bin:/bin";
  while (true) {
    const std::size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    const fs::path candidate = (dir.empty() ? fs::path(".") : fs::path(dir)) / shell;
    if (is_executable_file(candidate)) {
      return absolute_dir(candidate);
    }
    if (colon == std::string_view::npos) {
      break;
    }
    dirs.remove_prefix(colon + 1);
  }
  throw sdk::Failure(OFFLOAD_EINVAL, "shell '" + shell + "' is not an executable file in PATH",
                     "shell");
}

fs::path temp_root() {
  const char* tmpdir = std::getenv("TMPDIR");
  if (tmpdir != nullptr && fs::path(tmpdir).is_absolute()) {
    return tmpdir;
  }
  return "/tmp";
}

/// The sandbox ID reduced to characters that are safe in a file name.
std::string file_name_part(const std::string& id) {
  std::string part;
  for (const char c : id.substr(0, 64)) {
    const bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    part += safe ? c : '_';
  }
  return part;
}

struct FileCopy {
  std::string remote;
  std::string local;
};

std::vector<FileCopy> files_of(const nlohmann::json& request) {
  const auto files = request.find("files");
  if (files == request.end() || !files->is_array()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed download request: \"files\" must be an array");
  }
  std::vector<FileCopy> copies;
  for (const auto& file : *files) {
    FileCopy copy = read_request("download request", [&] {
      return FileCopy{plugin_support::string_or(file, "remote", ""),
                      plugin_support::string_or(file, "local", "")};
    });
    if (copy.remote.empty() || copy.local.empty()) {
      throw sdk::Failure(OFFLOAD_EINVAL,
                         "malformed download request: each file needs \"remote\" and \"local\" paths");
    }
    copies.push_back(std::move(copy));
  }
  return copies;
}

/// Removes a half-written file unless the copy was completed.
class PartialFile {
public:
  explicit PartialFile(fs::path path) : m_path(std::move(path)) {}
  ~PartialFile() {
    if (!m_done) {
      std::error_code ignored;
      fs::remove(m_path, ignored);
    }
  }
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;
  const fs::path& path() const noexcept { return m_path; }
  void done() noexcept { m_done = true; }

private:
  fs::path m_path;
  bool m_done = false;
};

} // namespace

LocalProvider::Sandbox::Sandbox(std::string sandbox_id, const fs::path& temp_root,
                                std::map<std::string, std::string> sandbox_env)
    : id(std::move(sandbox_id)),
      dir(temp_root, "offload-" + file_name_part(id) + "-"),
      env(std::move(sandbox_env)) {}

LocalProvider::LocalProvider(const offload_host_v1* host, std::string_view config_json)
    : m_host(host), m_temp_root(temp_root()) {
  const nlohmann::json config = plugin_support::parse_object(config_json, "local provider configuration");
  const std::optional<std::string> dir = plugin_support::optional_string(config, "working_dir");
  m_working_dir = absolute_dir(dir ? fs::path(*dir) : fs::current_path());
  std::error_code ec;
  if (!fs::is_directory(m_working_dir, ec)) {
    throw sdk::Failure(OFFLOAD_EINVAL, "working_dir '" + m_working_dir.string() + "' is not a directory",
                       "working_dir");
  }
  m_env = plugin_support::string_table(config, "env");
  m_shell = resolve_shell(plugin_support::string_or(config, "shell", "/bin/sh"), m_working_dir).string();
}

std::string LocalProvider::describe() {
  return plugin_support::json_text({{"remote", false}});
}

std::optional<std::string> LocalProvider::prepare(std::string_view request, const offload_cancel* /*cancel*/) {
  const nlohmann::json req = plugin_support::parse_object(request, "prepare request");
  const std::vector<std::string> copy_dirs =
      read_request("prepare request", [&] { return plugin_support::string_list(req, "copy_dirs"); });
  if (!copy_dirs.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL,
                       "--copy-dir " + copy_dirs.front() +
                           ": the local provider runs tests in the working directory itself, not in a copy, so "
                           "there is nothing to copy into; drop --copy-dir, or use a provider with sandbox images "
                           "(e.g. default with @local_sandbox.sh)");
  }
  return std::nullopt;
}

std::unique_ptr<LocalProvider::Sandbox> LocalProvider::create_sandbox(std::string_view request,
                                                                      std::string& info_json,
                                                                      const offload_cancel*) {
  const nlohmann::json req = plugin_support::parse_object(request, "create_sandbox request");
  auto [id, env] = read_request("create_sandbox request", [&] {
    return std::pair(plugin_support::string_or(req, "id", ""), plugin_support::string_table(req, "env"));
  });
  if (id.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed create_sandbox request: \"id\" is missing or empty");
  }
  auto sandbox = std::make_unique<Sandbox>(std::move(id), m_temp_root, std::move(env));
  info_json = plugin_support::json_text({{"id", sandbox->id}, {"scratch_dir", sandbox->dir.path().string()}});
  return sandbox;
}

nlohmann::json LocalProvider::process_spec(const Sandbox& sandbox, const nlohmann::json& command) const {
  const std::string script = plugin_support::command_to_shell(command);
  auto [command_env, timeout_ms] = read_request("exec command", [&] {
    return std::pair(plugin_support::string_table(command, "env"),
                     plugin_support::int_or(command, "timeout_ms", 0));
  });
  if (timeout_ms < 0) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed exec command: \"timeout_ms\" is negative");
  }
  // Later sources win: provider config, then the sandbox, then the command;
  // the two sandbox variables always describe the sandbox itself.
  std::map<std::string, std::string> env = m_env;
  const auto overlay = [&env](const std::map<std::string, std::string>& source) {
    for (const auto& [name, value] : source) {
      env.insert_or_assign(name, value);
    }
  };
  overlay(sandbox.env);
  overlay(command_env);
  env.insert_or_assign("TMPDIR", sandbox.dir.path().string());
  env.insert_or_assign("OFFLOAD_SANDBOX_ID", sandbox.id);
  return {{"argv", {m_shell, "-c", script}},
          {"cwd", m_working_dir.string()},
          {"env", env},
          {"timeout_ms", timeout_ms}};
}

int32_t LocalProvider::exec(Sandbox& sandbox, std::string_view command, const offload_sink* output,
                            const offload_cancel* cancel) {
  const nlohmann::json parsed = plugin_support::parse_object(command, "exec command");
  return sdk::Host(m_host).run(plugin_support::json_text(process_spec(sandbox, parsed)), output, cancel);
}

int32_t LocalProvider::exec_stdin(Sandbox& sandbox, std::string_view command, int32_t stdin_fd,
                                  const offload_sink* output, const offload_cancel* cancel) {
  nlohmann::json spec = process_spec(sandbox, plugin_support::parse_object(command, "exec command"));
  spec["stdin_fd"] = stdin_fd;
  return sdk::Host(m_host).run(plugin_support::json_text(spec), output, cancel);
}

void LocalProvider::download(Sandbox& sandbox, std::string_view request, const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "download request");
  for (const FileCopy& file : files_of(req)) {
    if (sdk::Host(m_host).cancelled(cancel)) {
      throw sdk::Failure(OFFLOAD_ECANCELED, "download from sandbox " + sandbox.id + " was cancelled");
    }
    const fs::path remote = m_working_dir / file.remote;
    std::error_code ec;
    const fs::file_status status = fs::status(remote, ec);
    if (status.type() == fs::file_type::not_found) {
      throw sdk::Failure(OFFLOAD_ENOENT, "result file '" + file.remote + "' does not exist in sandbox " +
                                             sandbox.id);
    }
    if (ec) {
      throw sdk::Failure(OFFLOAD_EIO, "cannot read result file '" + file.remote + "' in sandbox " +
                                          sandbox.id + ": " + ec.message());
    }
    if (status.type() != fs::file_type::regular) {
      throw sdk::Failure(OFFLOAD_EIO, "result file '" + file.remote + "' in sandbox " + sandbox.id +
                                          " is not a regular file");
    }
    PartialFile partial(file.local + ".partial");
    fs::copy_file(remote, partial.path(), fs::copy_options::overwrite_existing, ec);
    if (!ec) {
      fs::rename(partial.path(), file.local, ec);
    }
    if (ec) {
      throw sdk::Failure(OFFLOAD_EIO, "cannot copy result file '" + file.remote + "' to '" + file.local +
                                          "': " + ec.message());
    }
    partial.done();
  }
}

void LocalProvider::destroy_sandbox(Sandbox& sandbox) {
  sandbox.dir.remove();
}

} // namespace offload::plugins
