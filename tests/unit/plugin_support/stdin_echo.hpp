// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace offload::plugin_support::testing {

/// A command that writes "echo:" + each line of its stdin back to stdout as
/// soon as the line arrives, and exits 0 at EOF.
nlohmann::json echo_command();

/// Runs one exec_stdin-like call on a thread, feeding its stdin through a
/// pipe, so a test can write a line, wait for its echo, then write the next:
/// which only passes when the call streams stdin instead of buffering it.
class EchoSession {
public:
  /// `call(stdin_fd, output, cancel, exit_status)` makes the call and
  /// returns its OFFLOAD_* code.
  using Call = std::function<int32_t(int32_t stdin_fd, const offload_sink* output, const offload_cancel* cancel,
                                     int32_t* exit_status)>;

  explicit EchoSession(Call call);
  ~EchoSession();
  EchoSession(const EchoSession&) = delete;
  EchoSession& operator=(const EchoSession&) = delete;

  /// Writes `line` and a newline, then waits (up to a minute) until the
  /// command has printed "echo:" + line. False on a timeout.
  bool round_trip(const std::string& line);
  /// Closes the write end: the command sees EOF.
  void close_stdin();
  /// Cancels the call's token.
  void cancel();
  /// Waits for the call to return; its code. `exit_status()` is set then.
  int32_t finish();
  int32_t exit_status() const { return m_status; }
  std::vector<std::string> lines() const;

private:
  static int32_t write(void* data, uint32_t channel, const char* bytes, size_t len);

  int m_read_fd = -1;
  int m_write_fd = -1;
  offload_sink m_sink{};
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<std::string> m_lines;
  int32_t m_rc = 1;
  int32_t m_status = -1;
  bool m_done = false;
  std::unique_ptr<offload_cancel> m_cancel; ///< complete in the host's plugin/host.hpp
  std::thread m_thread;
};

/// An EchoSession::Call for a provider class's exec_stdin running
/// echo_command(); a Failure becomes its code, as the SDK's trampoline does.
template <class Provider>
EchoSession::Call exec_stdin_of(Provider& provider, typename Provider::Sandbox& sandbox) {
  return [&provider, &sandbox](int32_t fd, const offload_sink* output, const offload_cancel* cancel,
                               int32_t* status) -> int32_t {
    try {
      *status = provider.exec_stdin(sandbox, echo_command().dump(), fd, output, cancel);
      return OFFLOAD_OK;
    } catch (const sdk::Failure& failure) {
      return failure.code();
    }
  };
}

/// Three lines, each echoed before the next is written; EOF ends the
/// command with status 0.
void check_streams_until_eof(const EchoSession::Call& call);
/// One line echoed, then cancelling stops the command: OFFLOAD_ECANCELED.
void check_cancel_stops(const EchoSession::Call& call);

} // namespace offload::plugin_support::testing
