// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins::ssh {

/// One `[user@]host[:port]` of the `hosts` list or hosts_file.
struct HostEntry {
  std::string text;   ///< as written, for messages
  std::string where;  ///< "hosts[2]" or "hosts.txt:7"
  std::string user;   ///< empty: ssh's default
  std::string host;   ///< name or address; an IPv6 literal without brackets
  int port = 0;       ///< 0: ssh's default
  bool ipv6 = false;  ///< written as [addr]

  /// "user@host:port" as written, quoted for messages.
  std::string label() const { return "'" + text + "'"; }
};

/// Reads `[user@]host[:port]` (an IPv6 literal in brackets). User and host
/// are restricted to the characters names and addresses use, so neither can
/// be taken for an option or reach a shell as anything but data. Returns
/// nullopt and sets `why` when the entry is malformed.
std::optional<HostEntry> parse_host_entry(std::string_view text, std::string where, std::string& why);

/// The entries of a hosts file: one per line, blank lines and `#` comments
/// ignored. Sets `where` of each to "FILE:LINE".
struct RawEntry {
  std::string text;
  std::string where;
};
std::vector<RawEntry> read_hosts_file(const std::string& path);

} // namespace offload::plugins::ssh
