// SPDX-License-Identifier: MIT
#include "report/console.hpp"

#include "report/console_text.hpp"
#include "util/logging.hpp"
#include "util/paths.hpp"
#include "util/plural.hpp"
#include "util/terminal_text.hpp"

#include <algorithm>
#include <sys/ioctl.h>
#include <unistd.h>

namespace offload::report {
namespace {

constexpr std::size_t k_listed_per_kind = 50;
constexpr auto k_redraw_period = std::chrono::milliseconds(100);
constexpr std::size_t k_default_columns = 80;

double secs_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Asked at each redraw, so a resized terminal is followed.
std::size_t terminal_columns() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  return k_default_columns;
}

} // namespace

Console::Console(Mode mode, bool echo_output) : m_mode(mode), m_echo(echo_output) {}

Console::Mode Console::detect_mode() {
  const auto ci = util::env("CI");
  if (ci && *ci == "true") {
    return Mode::Lines;
  }
  return ::isatty(STDERR_FILENO) ? Mode::Bar : Mode::Lines;
}

void Console::run_started(std::size_t tests, std::size_t sandboxes) {
  if (m_mode == Mode::Bar) {
    // Outside the lock: the log's guard is taken before it.
    guard_log_lines();
  }
  const std::lock_guard lock(m_mutex);
  m_total = tests;
  m_started = m_last_line = Clock::now();
  if (m_mode != Mode::Quiet) {
    if (tests == 0) {
      // The workers list the tests as they collect them.
      std::fprintf(stderr, "offload: running on %s\n", util::counted(sandboxes, "sandbox", "sandboxes").c_str());
    } else {
      std::fprintf(stderr, "offload: running %s on %s\n", util::counted(tests, "test", "tests").c_str(),
                   util::counted(sandboxes, "sandbox", "sandboxes").c_str());
    }
  }
  if (m_mode == Mode::Bar) {
    m_redraw = std::jthread([this](std::stop_token stop) { redraw(std::move(stop)); });
  }
}

void Console::guard_log_lines() {
  util::set_log_guard([this](const std::function<void()>& write) {
    const std::lock_guard lock(m_mutex);
    clear_bar_locked();
    write();
  });
}

void Console::total_changed(std::size_t tests) {
  const std::lock_guard lock(m_mutex);
  m_total = tests;
}

void Console::redraw(std::stop_token stop) {
  std::unique_lock lock(m_mutex);
  while (!stop.stop_requested()) {
    draw_bar_locked();
    m_wake.wait_for(lock, stop, k_redraw_period, [] { return false; });
  }
}

void Console::clear_bar_locked() {
  if (m_bar_visible) {
    std::fputs("\r\x1b[2K", stderr);
    m_bar_visible = false;
  }
}

void Console::draw_bar_locked() {
  const auto now = Clock::now();
  StatusView view;
  view.total = m_total;
  view.counts = m_counts;
  view.eta_secs = m_eta;
  view.elapsed_secs = secs_between(m_started, now);
  const auto longest = std::min_element(m_running.begin(), m_running.end(), [](const Work& a, const Work& b) {
    return !a.first.empty() && (b.first.empty() || a.since < b.since);
  });
  if (longest != m_running.end() && !longest->first.empty()) {
    view.running = longest->first;
    view.running_batch = longest->tests;
    view.running_secs = secs_between(longest->since, now);
  }
  std::string line = status_line(view, terminal_columns());
  if (m_bar_visible && line == m_bar_drawn) {
    return;
  }
  std::fprintf(stderr, "\r\x1b[2K%s", line.c_str());
  std::fflush(stderr);
  m_bar_drawn = std::move(line);
  m_bar_visible = true;
}

void Console::progress(const Counts& counts, double eta_secs) {
  const std::lock_guard lock(m_mutex);
  m_counts = counts;
  m_eta = eta_secs;
  if (m_mode == Mode::Lines) {
    const auto now = Clock::now();
    const bool all_done = counts.settled() == m_total;
    const bool moved = counts.settled() != m_last_line_settled;
    if (moved && (all_done || now - m_last_line >= std::chrono::seconds(1))) {
      std::fprintf(stderr, "offload: %zu/%zu done (%s)%s\n", counts.settled(), m_total, counts_text(counts).c_str(),
                   eta_text(eta_secs).c_str());
      m_last_line = now;
      m_last_line_settled = counts.settled();
    }
  }
}

void Console::sandbox_running(std::size_t sandbox, std::span<const std::string> tests) {
  const std::lock_guard lock(m_mutex);
  if (m_running.size() <= sandbox) {
    m_running.resize(sandbox + 1);
  }
  Work& work = m_running[sandbox];
  work.tests = tests.size();
  work.first = tests.empty() ? std::string() : util::terminal_text(tests.front());
  // A tab's width depends on where it lands; the line's must not.
  std::replace(work.first.begin(), work.first.end(), '\t', ' ');
  work.since = Clock::now();
}

void Console::test_ended(const TestEnd& end) {
  if (!m_echo) {
    return;
  }
  const std::string line = verdict_line(end);
  if (line.empty()) {
    return;
  }
  const std::lock_guard lock(m_mutex);
  print_line_locked(line);
}

void Console::print_line_locked(const std::string& line) {
  clear_bar_locked();
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void Console::output(std::size_t sandbox, std::size_t batch, OutputStream stream, std::string_view line) {
  const std::string prefix = "[sandbox " + std::to_string(sandbox) + " batch " + std::to_string(batch) +
                             (stream == OutputStream::Stderr ? " stderr] " : "] ");
  const std::lock_guard lock(m_mutex);
  print_line_locked(prefix + std::string(line));
}

void Console::message(std::string_view text) {
  const std::lock_guard lock(m_mutex);
  clear_bar_locked();
  std::fprintf(stderr, "offload: %s\n", util::terminal_text(text).c_str());
}

Console::~Console() {
  if (m_mode == Mode::Bar) {
    util::set_log_guard({});
  }
}

void Console::run_finished() {
  // Outside the lock: the thread takes it for every redraw, and the log's
  // guard is taken before it.
  m_redraw.request_stop();
  if (m_redraw.joinable()) {
    m_redraw.join();
  }
  if (m_mode == Mode::Bar) {
    util::set_log_guard({});
  }
  const std::lock_guard lock(m_mutex);
  clear_bar_locked();
}

void print_summary(std::FILE* out, const std::vector<TestRecord>& records, double wall_secs,
                   std::size_t strays, const std::string& output_dir, bool interrupted) {
  Counts c;
  std::vector<const TestRecord*> failed, flaky, not_run;
  for (const auto& r : records) {
    switch (r.verdict) {
    case Verdict::Passed: ++c.passed; break;
    case Verdict::Failed: ++c.failed; failed.push_back(&r); break;
    case Verdict::Flaky: ++c.flaky; flaky.push_back(&r); break;
    case Verdict::Skipped: ++c.skipped; break;
    case Verdict::NotRun: ++c.not_run; not_run.push_back(&r); break;
    }
  }
  std::fprintf(out, "\nTest results%s:\n", interrupted ? " (interrupted)" : "");
  std::fprintf(out, "  Total:     %zu\n  Passed:    %zu\n  Failed:    %zu\n  Flaky:     %zu\n  Skipped:   %zu\n"
                    "  Not run:   %zu\n  Wall time: %.2f s\n",
               records.size(), c.passed, c.failed, c.flaky, c.skipped, c.not_run, wall_secs);
  const auto list = [&](const char* title, const std::vector<const TestRecord*>& tests, auto&& why) {
    if (tests.empty()) {
      return;
    }
    std::fprintf(out, "\n%s:\n", title);
    for (std::size_t i = 0; i < tests.size() && i < k_listed_per_kind; ++i) {
      const std::string reason = why(*tests[i]);
      std::fprintf(out, "  %s%s%s\n", util::terminal_text(tests[i]->test.id).c_str(), reason.empty() ? "" : "  -- ",
                   util::terminal_text(reason).c_str());
    }
    if (tests.size() > k_listed_per_kind) {
      std::fprintf(out, "  ... and %zu more (see junit.xml)\n", tests.size() - k_listed_per_kind);
    }
  };
  list("Failed", failed, [](const TestRecord& r) {
    if (r.attempts.empty()) {
      return std::string();
    }
    const auto& last = r.attempts.back();
    std::string why = last.result == AttemptResult::Failed ? "" : to_string(last.result);
    if (!last.message.empty()) {
      why += (why.empty() ? "" : ": ") + last.message.substr(0, last.message.find('\n'));
    }
    if (r.attempts.size() > 1) {
      why += " (" + std::to_string(r.attempts.size()) + " attempts)";
    }
    return why;
  });
  list("Flaky (failed, then passed on a retry)", flaky, [](const TestRecord& r) {
    return std::to_string(r.attempts.size()) + " attempts";
  });
  list("Not run", not_run, [](const TestRecord& r) { return r.not_run_reason; });
  if (strays > 0) {
    std::fprintf(out, "\n%zu results matched no discovered test (suite \"unmatched results\" in junit.xml)\n", strays);
  }
  std::fprintf(out, "\nReports in %s/ (junit.xml, timeline.svg, logs/)\n", output_dir.c_str());
  std::fflush(out);
}

} // namespace offload::report
