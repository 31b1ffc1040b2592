// SPDX-License-Identifier: MIT
#pragma once

#include "model/test_model.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace offload {

enum class OutputStream { Stdout, Stderr };

/// One test's attempt was judged, or the test was settled without one.
struct TestEnd {
  std::size_t sandbox = 0;
  /// The test, its attempts so far (this one last) and, once settled, its verdict.
  const TestRecord& record;
  /// Null when the test was settled as not run without an attempt of its own.
  const Attempt* attempt = nullptr;
  /// False: not its final verdict; the test is to run again (a retry).
  bool settled = true;
};

/// What a person watching a run is told. The engine calls it from its one
/// loop thread, never under a lock; the console implements it.
class RunObserver {
public:
  virtual ~RunObserver() = default;
  virtual void run_started(std::size_t tests, std::size_t sandboxes) = 0;
  /// The number of tests changed (discovery answered after the run started).
  virtual void total_changed(std::size_t tests) = 0;
  virtual void progress(const Counts& counts, double eta_secs) = 0;
  /// With -v: whether output lines are wanted at all, and one of them.
  virtual bool wants_output() const = 0;
  virtual void output(std::size_t sandbox, std::size_t batch, OutputStream stream, std::string_view line) = 0;
  /// What `sandbox` runs now, replacing what it ran before: a batch's tests,
  /// a worker's current test, or nothing once they ended.
  virtual void sandbox_running(std::size_t /*sandbox*/, std::span<const std::string> /*tests*/) {}
  /// Each test as it is judged (once per attempt), in either mode.
  virtual void test_ended(const TestEnd& /*end*/) {}
  /// A note that must not be overdrawn by progress.
  virtual void message(std::string_view text) = 0;
  virtual void run_finished() = 0;
};

} // namespace offload
