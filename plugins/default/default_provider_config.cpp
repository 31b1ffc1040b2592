// SPDX-License-Identifier: MIT
// A `default` provider's configuration section read into its commands,
// and the rules between its keys checked, once, when the plugin is made.
#include "default_provider.hpp"

#include "json_config.hpp"
#include "remote_command.hpp"
#include "template.hpp"

#include <offload/plugin.hpp>

#include <filesystem>
#include <system_error>

namespace offload::plugins {
namespace fs = std::filesystem;

namespace {

std::string required_template(const nlohmann::json& config, const std::string& key, const std::string& why) {
  std::optional<std::string> value = plugin_support::optional_string(config, key);
  if (!value || value->find_first_not_of(" \t\r\n") == std::string::npos) {
    throw sdk::Failure(OFFLOAD_EINVAL, key + " is missing or empty; " + why, key);
  }
  return *value;
}

std::optional<std::string> optional_template(const nlohmann::json& config, const std::string& key) {
  std::optional<std::string> value = plugin_support::optional_string(config, key);
  if (value && value->find_first_not_of(" \t\r\n") == std::string::npos) {
    throw sdk::Failure(OFFLOAD_EINVAL, key + " is empty; expected a command or no " + key + " at all", key);
  }
  return value;
}

} // namespace

ShellCommands shell_commands_from_config(const nlohmann::json& config) {
  ShellCommands c;
  c.prepare = optional_template(config, "prepare_command");
  c.create = required_template(config, "create_command", "expected a command printing the new sandbox's ID");
  c.exec = required_template(config, "exec_command", "expected a command running {command} in {sandbox_id}");
  c.download = required_template(
      config, "download_command",
      "results reach offload only as files copied out of the sandbox, so without it no test could get a verdict; "
      "expected a command copying each {paths} pair REMOTE:LOCAL");
  c.destroy = required_template(config, "destroy_command", "expected a command removing {sandbox_id}");
  c.working_dir = plugin_support::optional_string(config, "working_dir");
  c.timeout_secs = plugin_support::int_or(config, "timeout_secs", 3600);
  c.copy_dirs = plugin_support::string_list(config, "copy_dirs");
  c.env = plugin_support::string_table(config, "env");
  c.scratch_dir = plugin_support::string_or(config, "scratch_dir", "/tmp");
  c.destroy_removes_scratch = plugin_support::bool_or(config, "destroy_removes_scratch", false);

  if (!plugin_support::has_placeholder(c.exec, "command")) {
    throw sdk::Failure(OFFLOAD_EINVAL, "exec_command must contain {command}, where the command to run goes",
                       "exec_command");
  }
  if (!plugin_support::has_placeholder(c.download, "paths")) {
    throw sdk::Failure(OFFLOAD_EINVAL, "download_command must contain {paths}, the REMOTE:LOCAL pairs to copy",
                       "download_command");
  }
  if (!c.prepare && plugin_support::has_placeholder(c.create, "image_id")) {
    throw sdk::Failure(OFFLOAD_EINVAL,
                       "create_command uses {image_id}, but there is no prepare_command to build an image",
                       "create_command");
  }
  if (!c.prepare && !c.copy_dirs.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "copy_dirs go into the image, so they need a prepare_command",
                       "copy_dirs");
  }
  check_copy_dirs(c.copy_dirs, "copy_dirs");
  if (c.timeout_secs <= 0 || c.timeout_secs > plugin_support::k_max_timeout_secs) {
    throw sdk::Failure(OFFLOAD_EINVAL, "timeout_secs must be a positive number of seconds, at most 1000000000",
                       "timeout_secs");
  }
  check_env_names(c.env, "env");
  if (c.scratch_dir.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "scratch_dir is empty; expected a directory inside each sandbox",
                       "scratch_dir");
  }
  if (c.working_dir) {
    std::error_code ec;
    const fs::path dir = fs::absolute(*c.working_dir, ec).lexically_normal();
    if (ec || !fs::is_directory(dir, ec)) {
      throw sdk::Failure(OFFLOAD_EINVAL, "working_dir '" + *c.working_dir + "' is not a directory", "working_dir");
    }
    c.working_dir = dir.string();
  }
  return c;
}

} // namespace offload::plugins
