// SPDX-License-Identifier: MIT
#pragma once

#include "model/test_model.hpp"

#include <cstddef>
#include <string_view>

namespace offload {

enum class OutputStream { Stdout, Stderr };

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
  /// A note that must not be overdrawn by progress.
  virtual void message(std::string_view text) = 0;
  virtual void run_finished() = 0;
};

} // namespace offload
