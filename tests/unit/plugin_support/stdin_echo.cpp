// SPDX-License-Identifier: MIT
#include "stdin_echo.hpp"

#include "plugin/host.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace offload::plugin_support::testing {

nlohmann::json echo_command() {
  return {{"argv",
           {"python3", "-c",
            "import sys\n"
            "while True:\n"
            "    line = sys.stdin.readline()\n"
            "    if not line:\n"
            "        break\n"
            "    sys.stdout.write('echo:' + line)\n"
            "    sys.stdout.flush()\n"}}};
}

EchoSession::EchoSession(Call call) : m_cancel(std::make_unique<offload_cancel>()) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2 failed");
  }
  m_read_fd = fds[0];
  m_write_fd = fds[1];
  m_sink.struct_size = sizeof(offload_sink);
  m_sink.write = &EchoSession::write;
  m_sink.data = this;
  m_thread = std::thread([this, call = std::move(call)] {
    int32_t status = -1;
    const int32_t rc = call(m_read_fd, &m_sink, m_cancel.get(), &status);
    const std::lock_guard lock(m_mutex);
    m_rc = rc;
    m_status = status;
    m_done = true;
    m_changed.notify_all();
  });
}

EchoSession::~EchoSession() {
  cancel();
  close_stdin();
  if (m_thread.joinable()) {
    m_thread.join();
  }
  ::close(m_read_fd);
}

int32_t EchoSession::write(void* data, uint32_t channel, const char* bytes, size_t len) {
  auto* self = static_cast<EchoSession*>(data);
  if (channel == OFFLOAD_CHANNEL_STDOUT) {
    const std::lock_guard lock(self->m_mutex);
    self->m_lines.emplace_back(bytes, len);
    self->m_changed.notify_all();
  }
  return OFFLOAD_OK;
}

bool EchoSession::round_trip(const std::string& line) {
  const std::string text = line + "\n";
  if (::write(m_write_fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return false;
  }
  std::unique_lock lock(m_mutex);
  return m_changed.wait_for(lock, std::chrono::minutes(1), [&] {
    return m_done || (!m_lines.empty() && m_lines.back() == "echo:" + line);
  }) && !m_done;
}

void EchoSession::close_stdin() {
  if (m_write_fd >= 0) {
    ::close(m_write_fd);
    m_write_fd = -1;
  }
}

void EchoSession::cancel() {
  m_cancel->token.cancel();
}

int32_t EchoSession::finish() {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [&] { return m_done; });
  return m_rc;
}

std::vector<std::string> EchoSession::lines() const {
  const std::lock_guard lock(m_mutex);
  return m_lines;
}

void check_streams_until_eof(const EchoSession::Call& call) {
  EchoSession session(call);
  for (const char* line : {"one", "two words", "three"}) {
    CAPTURE(line);
    REQUIRE(session.round_trip(line));
  }
  session.close_stdin();
  CHECK(session.finish() == OFFLOAD_OK);
  CHECK(session.exit_status() == 0);
  CHECK(session.lines() == std::vector<std::string>{"echo:one", "echo:two words", "echo:three"});
}

void check_cancel_stops(const EchoSession::Call& call) {
  EchoSession session(call);
  REQUIRE(session.round_trip("before the cancel"));
  session.cancel();
  CHECK(session.finish() == OFFLOAD_ECANCELED);
}

} // namespace offload::plugin_support::testing
