// SPDX-License-Identifier: MIT
#pragma once

// The console's lines as text, apart from where and when they are printed,
// so each one is tested without a terminal.

#include "model/observer.hpp"
#include "model/test_model.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace offload::report {

/// "passed 3, failed 1", naming the other verdicts only when there are any.
std::string counts_text(const Counts& counts);
/// ", ETA 1m05s", or "" while nothing is known.
std::string eta_text(double secs);
/// A span of time for a person: "0.4s" under ten seconds, then "12s", "1m05s", "2h03m".
std::string clock_text(double secs);

/// Columns `text` takes on a terminal: one per code point, two for East
/// Asian wide ones, none for combining marks.
std::size_t columns_of(std::string_view text);
/// `text` in at most `columns` columns: as it is if it fits, else "..."
/// and its end (a test ID's end names the test).
std::string fit_tail(std::string_view text, std::size_t columns);

/// With -v, one line per judged attempt: the verdict (RETRY when the test
/// runs again), the test ID made safe for a terminal, how long it took, the
/// sandbox, and what else matters (which attempt, why). Empty when the
/// attempt says nothing about the test (a cancelled copy).
std::string verdict_line(const TestEnd& end);

/// What the progress line on a terminal shows.
struct StatusView {
  std::size_t total = 0;
  Counts counts;
  double eta_secs = 0.0;
  double elapsed_secs = 0.0;
  /// The test that has run longest of those running now, terminal-safe;
  /// empty when nothing runs.
  std::string running;
  std::size_t running_batch = 1; ///< tests in its batch (1 with workers)
  double running_secs = 0.0;
};

/// The progress line, in fewer than `columns` columns (the last one would
/// wrap on some terminals): bar, done/total, elapsed time, counts, ETA,
/// then as much of the running test's ID as fits, with how long it has run.
std::string status_line(const StatusView& view, std::size_t columns);

} // namespace offload::report
