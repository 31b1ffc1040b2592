// SPDX-License-Identifier: MIT
#include "modal_provider.hpp"

#include "remote_command.hpp"
#include "json_config.hpp"
#include "shell.hpp"

#include <offload/plugin.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace offload::plugins {
namespace fs = std::filesystem;
using plugin_support::shell_quote;

namespace {

bool in_path(const std::string& program) {
  const char* search = std::getenv("PATH");
  std::string_view dirs = search != nullptr ? search : "";
  while (!dirs.empty()) {
    const std::size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    const fs::path candidate = (dir.empty() ? fs::path(".") : fs::path(dir)) / program;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
      return true;
    }
    if (colon == std::string_view::npos) {
      break;
    }
    dirs.remove_prefix(colon + 1);
  }
  return false;
}

} // namespace

ModalOptions modal_options_from_config(const nlohmann::json& config) {
  ModalOptions o;
  o.dockerfile = plugin_support::optional_string(config, "dockerfile");
  o.include_cwd = plugin_support::bool_or(config, "include_cwd", false);
  o.copy_dirs = plugin_support::string_list(config, "copy_dirs");
  o.env = plugin_support::string_table(config, "env");
  o.python = plugin_support::string_or(config, "python", "");
  o.timeout_secs = plugin_support::int_or(config, "timeout_secs", 3600);
  if (o.dockerfile) {
    std::error_code ec;
    if (!fs::is_regular_file(*o.dockerfile, ec)) {
      throw sdk::Failure(OFFLOAD_EINVAL,
                         "dockerfile '" + *o.dockerfile + "' is not a file (paths start at the current directory)",
                         "dockerfile");
    }
  }
  check_copy_dirs(o.copy_dirs, "copy_dirs");
  check_env_names(o.env, "env");
  if (o.timeout_secs <= 0 || o.timeout_secs > plugin_support::k_max_timeout_secs) {
    throw sdk::Failure(OFFLOAD_EINVAL, "timeout_secs must be a positive number of seconds, at most 1000000000",
                       "timeout_secs");
  }
  return o;
}

std::string script_runner(const std::string& python) {
  if (!python.empty()) {
    return python;
  }
  return in_path("uv") ? "uv run" : "python3";
}

ShellCommands modal_commands(const ModalOptions& options, const std::string& runner) {
  const std::string script = runner + " @modal_sandbox.py ";
  ShellCommands c;
  std::string prepare = script + "prepare";
  if (options.dockerfile) {
    prepare += " " + shell_quote(*options.dockerfile);
  }
  if (options.include_cwd) {
    prepare += " --include-cwd";
  }
  c.prepare = prepare;
  c.create = script + "create {image_id}";
  c.exec = script + "exec {sandbox_id} {command}";
  c.download = script + "download {sandbox_id} {paths}";
  c.destroy = script + "destroy {sandbox_id}";
  c.timeout_secs = options.timeout_secs;
  c.copy_dirs = options.copy_dirs;
  c.env = options.env;
  c.scratch_dir = "/tmp";
  c.destroy_removes_scratch = true; // terminate discards the sandbox's file system
  c.no_cache_flag = "--no-cache";
  c.generated = true;
  return c;
}

ModalProvider::ModalProvider(const offload_host_v1* host, std::string_view config_json)
    : DefaultProvider(host, [&] {
        const ModalOptions options =
            modal_options_from_config(plugin_support::parse_object(config_json, "modal provider configuration"));
        return modal_commands(options, script_runner(options.python));
      }()) {}

} // namespace offload::plugins
