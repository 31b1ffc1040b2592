// SPDX-License-Identifier: MIT
#pragma once

#include "process/process.hpp"
#include "process/unique_fd.hpp"

#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

namespace offload::process {

/// Reads one output stream from a non-blocking descriptor and hands it to
/// the line handler line by line.
class LineReader {
public:
  LineReader(Stream stream, UniqueFd fd) : m_stream(stream), m_fd(std::move(fd)), m_buffer(k_read_size) {}

  bool open() const { return static_cast<bool>(m_fd); }
  int fd() const { return m_fd.get(); }

  /// Reads once; returns whether more may be waiting right now.
  bool read_some(const LineHandler& on_line) {
    const ssize_t n = read(m_fd.get(), m_buffer.data(), m_buffer.size());
    if (n > 0) {
      feed(std::string_view(m_buffer.data(), static_cast<std::size_t>(n)), on_line);
      return static_cast<std::size_t>(n) == m_buffer.size();
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      finish(on_line);
    }
    return false;
  }

  /// Takes what is already in the pipe, then stops reading.
  void drain(const LineHandler& on_line) {
    while (open() && read_some(on_line)) {
    }
    finish(on_line);
  }

private:
  void feed(std::string_view data, const LineHandler& on_line) {
    for (std::size_t nl; (nl = data.find('\n')) != std::string_view::npos; data.remove_prefix(nl + 1)) {
      std::string_view line = data.substr(0, nl);
      if (!m_partial.empty()) {
        m_partial.append(line);
        line = m_partial;
      }
      if (line.ends_with('\r')) {
        line.remove_suffix(1);
      }
      on_line(m_stream, line);
      m_partial.clear();
    }
    m_partial.append(data);
    if (m_partial.size() > k_max_line) {
      on_line(m_stream, m_partial);
      m_partial.clear();
    }
  }

  void finish(const LineHandler& on_line) {
    m_fd.reset();
    if (!m_partial.empty()) {
      on_line(m_stream, m_partial);
      m_partial.clear();
    }
  }

  static constexpr std::size_t k_read_size = std::size_t{64} << 10;
  // Output without newlines is passed on in pieces of this size rather
  // than growing memory without bound.
  static constexpr std::size_t k_max_line = std::size_t{1} << 20;

  Stream m_stream;
  UniqueFd m_fd;
  std::vector<char> m_buffer;
  std::string m_partial;
};

} // namespace offload::process
