// SPDX-License-Identifier: MIT
#pragma once

#include "model/observer.hpp"
#include "model/test_model.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace offload::report {

/// What a person watching the run sees. On a terminal (and not CI=true) a
/// progress line redrawn in place on stderr, at most ten times a second by
/// a thread of its own, so the elapsed time moves while nothing else does;
/// otherwise plain progress lines. With -v, the tests' output and one line
/// per judged test on stdout. Log lines written while the progress line is
/// up take it off first. Thread-safe.
class Console final : public RunObserver {
public:
  enum class Mode { Bar, Lines, Quiet };
  Console(Mode mode, bool echo_output);
  ~Console() override;
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  /// Bar when stderr is a terminal and CI is not "true", else Lines.
  static Mode detect_mode();

  void run_started(std::size_t tests, std::size_t sandboxes) override;
  void total_changed(std::size_t tests) override;
  void progress(const Counts& counts, double eta_secs) override;
  bool wants_output() const override { return m_echo; }
  void output(std::size_t sandbox, std::size_t batch, OutputStream stream, std::string_view line) override;
  void sandbox_running(std::size_t sandbox, std::span<const std::string> tests) override;
  void test_ended(const TestEnd& end) override;
  /// Also called from the signal thread.
  void message(std::string_view text) override;
  void run_finished() override;

private:
  using Clock = std::chrono::steady_clock;
  /// What one sandbox runs now.
  struct Work {
    std::string first; ///< its first test's ID, terminal-safe; empty: nothing
    std::size_t tests = 0;
    Clock::time_point since;
  };

  /// Log lines take the progress line off the terminal before they are written.
  void guard_log_lines();
  void clear_bar_locked();
  void draw_bar_locked();
  void redraw(std::stop_token stop);
  void print_line_locked(const std::string& line);

  Mode m_mode;
  bool m_echo;
  std::mutex m_mutex;
  std::size_t m_total = 0;
  Counts m_counts;
  double m_eta = 0.0;
  bool m_bar_visible = false;
  std::string m_bar_drawn;
  std::vector<Work> m_running;
  std::size_t m_last_line_settled = 0;
  Clock::time_point m_started;
  Clock::time_point m_last_line;
  /// Only wakes the redraw thread early to stop it.
  std::condition_variable_any m_wake;
  /// Last, so it stops before the state it draws goes away.
  std::jthread m_redraw;
};

/// The closing summary on stdout: counts, wall time, then the IDs of failed,
/// flaky and not-run tests (with reasons), and where the reports are.
void print_summary(std::FILE* out, const std::vector<TestRecord>& records, double wall_secs,
                   std::size_t strays, const std::string& output_dir, bool interrupted);

} // namespace offload::report
