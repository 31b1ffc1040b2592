// SPDX-License-Identifier: MIT
#pragma once

#include "../plugin_support/fake_host.hpp"

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace offload::plugin_support::testing {

/// A real sshd on a free loopback port with its own host key, accepting a
/// client key made for it; known_hosts lists its key. Stopped when destroyed.
class SshdServer {
public:
  SshdServer();
  ~SshdServer();
  SshdServer(const SshdServer&) = delete;
  SshdServer& operator=(const SshdServer&) = delete;

  /// "user@127.0.0.1:port"
  std::string entry() const;
  std::filesystem::path client_key() const { return m_dir.path() / "client_key"; }
  std::filesystem::path known_hosts() const { return m_dir.path() / "known_hosts"; }
  const std::filesystem::path& dir() const { return m_dir.path(); }

private:
  ScratchDir m_dir;
  int m_port = 0;
  pid_t m_pid = -1;
};

} // namespace offload::plugin_support::testing
