// SPDX-License-Identifier: MIT
#include "sshd_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace offload::plugin_support::testing {
namespace fs = std::filesystem;
namespace {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

void keygen(const fs::path& path) {
  if (sh_status("ssh-keygen -q -t ed25519 -N '' -C offload-test -f '" + path.string() + "'") != 0) {
    throw std::runtime_error("ssh-keygen failed");
  }
}

} // namespace

SshdServer::SshdServer() : m_port(free_port()) {
  const fs::path dir = m_dir.path();
  keygen(dir / "host_key");
  keygen(dir / "client_key");
  fs::copy_file(dir / "client_key.pub", dir / "authorized_keys");
  const std::string host_key = read_file(dir / "host_key.pub");
  write_file(dir / "known_hosts", "[127.0.0.1]:" + std::to_string(m_port) + " " +
                                      host_key.substr(0, host_key.rfind(' ')) + "\n");
  write_file(dir / "sshd_config", "Port " + std::to_string(m_port) +
                                      "\nListenAddress 127.0.0.1\nHostKey " + (dir / "host_key").string() +
                                      "\nAuthorizedKeysFile " + (dir / "authorized_keys").string() +
                                      "\nPidFile none\nStrictModes no\nPasswordAuthentication no\n"
                                      "KbdInteractiveAuthentication no\nUsePAM no\n"
                                      "PermitRootLogin prohibit-password\nMaxSessions 32\n");
  if (::geteuid() == 0) {
    ::mkdir("/run/sshd", 0755);
  }
  const std::string config = (dir / "sshd_config").string();
  const std::string log = (dir / "sshd.log").string();
  m_pid = ::fork();
  if (m_pid == 0) {
    ::setpgid(0, 0);
    ::execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-f", config.c_str(), "-D", "-e", "-E", log.c_str(), nullptr);
    ::_exit(127);
  }
  for (int i = 0; i < 300 && !accepts(m_port); ++i) {
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_pid = -1;
      throw std::runtime_error("sshd exited: " + read_file(dir / "sshd.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

SshdServer::~SshdServer() {
  if (m_pid > 0) {
    ::killpg(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
  }
}

std::string SshdServer::entry() const {
  const std::string user = sh_output("id -un");
  return user.substr(0, user.find('\n')) + "@127.0.0.1:" + std::to_string(m_port);
}

} // namespace offload::plugin_support::testing
