// SPDX-License-Identifier: MIT
#include "ssh_config.hpp"

#include "remote_command.hpp"
#include "json_config.hpp"

#include <offload/plugin.hpp>

#include <cstdlib>
#include <system_error>

namespace offload::plugins::ssh {
namespace fs = std::filesystem;

namespace {

std::optional<fs::path> existing_file(const nlohmann::json& config, const std::string& key) {
  const std::optional<std::string> value = plugin_support::optional_string(config, key);
  if (!value) {
    return std::nullopt;
  }
  // "~/" as ssh reads it, so the paths people write for ssh work here too.
  const char* home = std::getenv("HOME");
  const bool from_home = value->rfind("~/", 0) == 0 && home != nullptr;
  const fs::path path = fs::absolute(from_home ? fs::path(home) / value->substr(2) : fs::path(*value)).lexically_normal();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw sdk::Failure(OFFLOAD_EINVAL, key + " '" + *value + "' is not a file", key);
  }
  return path;
}

[[noreturn]] void bad_copy_dir(const std::string& spec, const std::string& key, const std::string& why) {
  const std::string what = key.empty() ? "copy directory" : key + " entry";
  throw sdk::Failure(OFFLOAD_EINVAL, what + " '" + spec + "': " + why, key);
}

} // namespace

void check_copy_dirs_for_ssh(const std::vector<std::string>& specs, const std::string& key) {
  check_copy_dirs(specs, key.empty() ? "copy_dirs" : key);
  for (const std::string& spec : specs) {
    const fs::path remote = spec.substr(spec.find(':') + 1);
    if (remote.is_absolute()) {
      bad_copy_dir(spec, key, "REMOTE must be a relative path inside the project copy");
    }
    for (const fs::path& part : remote) {
      if (part == "..") {
        bad_copy_dir(spec, key, "REMOTE must not leave the project copy with '..'");
      }
    }
  }
}

Config read_config(std::string_view config_json) {
  const nlohmann::json config = plugin_support::parse_object(config_json, "ssh provider configuration");
  Config out;
  std::vector<RawEntry> raw;
  const std::vector<std::string> listed = plugin_support::string_list(config, "hosts");
  for (std::size_t i = 0; i < listed.size(); ++i) {
    raw.push_back({listed[i], "hosts[" + std::to_string(i) + "]"});
  }
  if (const auto file = plugin_support::optional_string(config, "hosts_file")) {
    for (RawEntry& entry : read_hosts_file(*file)) {
      raw.push_back(std::move(entry));
    }
  }
  if (raw.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "no ssh hosts: set hosts = [\"user@host:port\", ...] or hosts_file", "hosts");
  }
  for (RawEntry& entry : raw) {
    std::string why;
    if (auto parsed = parse_host_entry(entry.text, entry.where, why)) {
      out.hosts.push_back(std::move(*parsed));
    } else {
      out.rejected.push_back("ssh host '" + entry.text + "' (" + entry.where + "): malformed host entry: " + why +
                             "; expected [user@]host[:port]");
    }
  }
  if (out.hosts.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, out.rejected.front(), "hosts");
  }

  Settings& s = out.settings;
  s.slots = plugin_support::int_or(config, "slots", 0);
  if (s.slots < 0) {
    throw sdk::Failure(OFFLOAD_EINVAL, "slots must be 0 (each host's core count) or more", "slots");
  }
  s.connect_timeout_secs = plugin_support::int_or(config, "connect_timeout_secs", 10);
  if (s.connect_timeout_secs < 1 || s.connect_timeout_secs > plugin_support::k_max_timeout_secs) {
    throw sdk::Failure(OFFLOAD_EINVAL, "connect_timeout_secs must be at least 1 and at most 1000000000",
                       "connect_timeout_secs");
  }
  s.work_root = plugin_support::string_or(config, "work_root", ".cache/offload");
  if (s.work_root.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "work_root is empty; expected a directory on the hosts", "work_root");
  }
  s.copy_dirs = plugin_support::string_list(config, "copy_dirs");
  check_copy_dirs_for_ssh(s.copy_dirs, "copy_dirs");
  s.exclude = plugin_support::string_list(config, "exclude");
  out.env = plugin_support::string_table(config, "env");
  check_env_names(out.env, "env");
  out.identity_file = existing_file(config, "identity_file");
  out.known_hosts = existing_file(config, "known_hosts");
  const std::optional<std::string> project = plugin_support::optional_string(config, "project_dir");
  s.project = project ? fs::absolute(*project).lexically_normal() : fs::current_path();
  std::error_code ec;
  if (!fs::is_directory(s.project, ec)) {
    throw sdk::Failure(OFFLOAD_EINVAL, "project_dir '" + s.project.string() + "' is not a directory", "project_dir");
  }
  if (!s.project.has_filename() && s.project != s.project.root_path()) {
    s.project = s.project.parent_path();
  }
  return out;
}

} // namespace offload::plugins::ssh
