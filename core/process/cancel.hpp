// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <memory>

namespace offload::process {

/// A cancellation flag shared by whoever may cancel and whoever must stop.
/// Tokens form a tree: cancelling a parent cancels every child, so one
/// Ctrl-C reaches every batch while fail-fast or a winning duplicate can
/// cancel just one batch.
class CancelToken {
public:
  CancelToken() : m_state(std::make_shared<State>()) {}

  /// A token cancelled when this one is, or on its own.
  CancelToken child() const {
    CancelToken c;
    c.m_state->parent = m_state;
    return c;
  }

  void cancel() const noexcept { m_state->cancelled.store(true, std::memory_order_release); }

  bool cancelled() const noexcept {
    for (const State* s = m_state.get(); s != nullptr; s = s->parent.get()) {
      if (s->cancelled.load(std::memory_order_acquire)) {
        return true;
      }
    }
    return false;
  }

private:
  struct State {
    std::atomic<bool> cancelled{false};
    std::shared_ptr<State> parent;
  };
  std::shared_ptr<State> m_state;
};

} // namespace offload::process
