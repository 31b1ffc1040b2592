// SPDX-License-Identifier: MIT
#pragma once

#include "host_entry.hpp"
#include "ssh_host.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins::ssh {

/// A checked [provider] section of type "ssh".
struct Config {
  Settings settings; ///< without control_dir and the has_* flags
  std::map<std::string, std::string> env;
  std::vector<HostEntry> hosts;
  /// One line per malformed entry, naming it and where it was written.
  std::vector<std::string> rejected;
  std::optional<std::filesystem::path> identity_file;
  std::optional<std::filesystem::path> known_hosts;
};

/// Reads the section; throws sdk::Failure(OFFLOAD_EINVAL) naming the key
/// for values no host could use. Malformed host entries do not fail it:
/// they are listed in `rejected` unless no entry is left.
Config read_config(std::string_view config_json);

/// Checks LOCAL:REMOTE entries (REMOTE a path inside the project copy);
/// throws sdk::Failure(OFFLOAD_EINVAL) naming `key`, or the request when `key` is empty.
void check_copy_dirs_for_ssh(const std::vector<std::string>& specs, const std::string& key);

} // namespace offload::plugins::ssh
