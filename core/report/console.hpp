// SPDX-License-Identifier: MIT
#pragma once

#include "engine/model.hpp"
#include "engine/tracker.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace offload::report {

/// What a person watching the run sees. On a terminal (and not CI=true) a
/// progress bar redrawn in place on stderr; otherwise plain progress lines.
/// Thread-safe.
class Console {
public:
  enum class Mode { Bar, Lines, Quiet };
  Console(Mode mode, bool echo_output);

  /// Bar when stderr is a terminal and CI is not "true", else Lines.
  static Mode detect_mode();

  void start(std::size_t tests, std::size_t sandboxes);
  /// The number of tests changed (discovery answered after the run started).
  void set_total(std::size_t tests);
  void progress(const engine::Counts& counts, double eta_secs);
  /// One line of test output, with -v.
  void echo(std::string_view prefix, std::string_view line);
  /// A note that must not be overdrawn by the bar.
  void message(std::string_view text);
  void finish();

  bool echoes_output() const { return m_echo; }

private:
  void clear_bar_locked();
  void draw_bar_locked();

  Mode m_mode;
  bool m_echo;
  std::mutex m_mutex;
  std::size_t m_total = 0;
  engine::Counts m_counts;
  double m_eta = 0.0;
  bool m_bar_visible = false;
  std::size_t m_last_line_settled = 0;
  std::chrono::steady_clock::time_point m_started;
  std::chrono::steady_clock::time_point m_last_line;
};

/// The closing summary on stdout: counts, wall time, then the IDs of failed,
/// flaky and not-run tests (with reasons), and where the reports are.
void print_summary(std::FILE* out, const std::vector<engine::TestRecord>& records, double wall_secs,
                   std::size_t strays, const std::string& output_dir, bool interrupted);

} // namespace offload::report
