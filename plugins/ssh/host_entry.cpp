// SPDX-License-Identifier: MIT
#include "host_entry.hpp"

#include <offload/plugin.hpp>

#include <charconv>
#include <fstream>

namespace offload::plugins::ssh {
namespace {

bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_user(std::string_view user) {
  if (user.empty() || user.front() == '-') {
    return false;
  }
  for (const char c : user) {
    if (!is_alnum(c) && c != '_' && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

bool is_host_name(std::string_view host) {
  if (host.empty() || host.front() == '-' || host.front() == '.' || host.size() > 253) {
    return false;
  }
  for (const char c : host) {
    if (!is_alnum(c) && c != '.' && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

bool is_ipv6(std::string_view host) {
  if (host.find(':') == std::string_view::npos) {
    return false;
  }
  for (const char c : host) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex && c != ':' && c != '.') {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view space = " \t\r\n";
  const std::size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) {
    return {};
  }
  return text.substr(begin, text.find_last_not_of(space) - begin + 1);
}

} // namespace

std::optional<HostEntry> parse_host_entry(std::string_view text, std::string where, std::string& why) {
  HostEntry entry;
  entry.text = std::string(text);
  entry.where = std::move(where);
  std::string_view rest = text;
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
    entry.user = std::string(rest.substr(0, at));
    rest.remove_prefix(at + 1);
    if (!is_user(entry.user)) {
      why = "the user name must be letters, digits, '.', '_' or '-'";
      return std::nullopt;
    }
  }
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      why = "an IPv6 address needs its closing ']'";
      return std::nullopt;
    }
    entry.host = std::string(rest.substr(1, close - 1));
    entry.ipv6 = true;
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      why = "expected ':port' after ']'";
      return std::nullopt;
    }
    if (!is_ipv6(entry.host)) {
      why = "'" + entry.host + "' is not an IPv6 address";
      return std::nullopt;
    }
    if (!rest.empty()) {
      port = rest.substr(1);
      if (port.empty()) {
        why = "the port after ':' is missing";
        return std::nullopt;
      }
    }
  } else {
    const std::size_t colon = rest.find(':');
    entry.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) {
        why = "the port after ':' is missing";
        return std::nullopt;
      }
    }
    if (!is_host_name(entry.host)) {
      why = entry.host.empty() ? "the host name is missing"
                               : "the host name must be letters, digits, '.', '-' or '_'";
      return std::nullopt;
    }
  }
  if (!port.empty()) {
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), entry.port);
    if (ec != std::errc() || end != port.data() + port.size() || entry.port < 1 || entry.port > 65535) {
      why = "the port must be a number from 1 to 65535";
      return std::nullopt;
    }
  }
  return entry;
}

std::vector<RawEntry> read_hosts_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw sdk::Failure(OFFLOAD_EINVAL, "hosts_file '" + path + "' cannot be read", "hosts_file");
  }
  std::vector<RawEntry> entries;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string_view text = line;
    text = trim(text.substr(0, text.find('#')));
    if (!text.empty()) {
      entries.push_back({std::string(text), path + ":" + std::to_string(number)});
    }
  }
  return entries;
}

} // namespace offload::plugins::ssh
