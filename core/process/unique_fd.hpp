// SPDX-License-Identifier: MIT
#pragma once

#include <unistd.h>

#include <utility>

namespace offload::process {

/// Owns a file descriptor and closes it when dropped.
class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : m_fd(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset(std::exchange(other.m_fd, -1));
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return m_fd; }
  explicit operator bool() const noexcept { return m_fd >= 0; }

  void reset(int fd = -1) noexcept {
    if (m_fd >= 0) {
      // Retrying close() after EINTR could close a descriptor another thread
      // just opened: on Linux the descriptor is released either way.
      ::close(m_fd);
    }
    m_fd = fd;
  }

private:
  int m_fd = -1;
};

} // namespace offload::process
