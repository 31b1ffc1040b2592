// SPDX-License-Identifier: MIT
#pragma once

#include "engine/events.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace offload::engine {

/// Events from any thread to the run's one loop, in the order they came.
class EventQueue {
public:
  void push(Event event) {
    {
      const std::lock_guard lock(m_mutex);
      m_events.push_back(std::move(event));
    }
    m_cv.notify_one();
  }

  /// The oldest event, waiting up to `wait` for one.
  std::optional<Event> pop(std::chrono::milliseconds wait) {
    std::unique_lock lock(m_mutex);
    if (!m_cv.wait_for(lock, wait, [this] { return !m_events.empty(); })) {
      return std::nullopt;
    }
    Event e = std::move(m_events.front());
    m_events.pop_front();
    return e;
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<Event> m_events;
};

} // namespace offload::engine
