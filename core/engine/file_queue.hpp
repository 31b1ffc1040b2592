// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

namespace offload::engine {

/// The queue of a streaming run (persistent workers): one test per take,
/// and a file's tests go to one sandbox in discovery order, so its module
/// and class fixtures are set up once there. A sandbox keeps to its file
/// until it is empty, then takes the file with the most work left that
/// nobody has begun; when none is left it steals the back half of the
/// biggest file another sandbox is working through. A file may be reserved
/// for the sandbox that collected it (its worker has imported it): that
/// sandbox takes it first, the others only when nothing else is left. Not
/// thread-safe.
class FileQueue {
public:
  static constexpr std::size_t k_no_file = static_cast<std::size_t>(-1);
  using Estimate = std::function<double(std::size_t test)>;

  /// Queues tests (in the order given) under their files (`file_of`,
  /// k_no_file = a test of its own). A file a sandbox is working through
  /// takes its late tests too.
  /// `reserve_for`: new files are reserved for that sandbox.
  void add(const std::vector<std::size_t>& tests, const std::function<std::size_t(std::size_t)>& file_of,
           const Estimate& estimate, std::optional<std::size_t> reserve_for = std::nullopt);
  std::optional<std::size_t> take(std::size_t sandbox, const Estimate& estimate);
  /// Whether `sandbox` has work here that is neither stolen nor reserved
  /// for another sandbox.
  bool has_work_for(std::size_t sandbox) const;
  /// `sandbox` is gone: what was reserved for it is anybody's.
  void release(std::size_t sandbox);
  /// Every queued test, in no particular order; the queue is empty after.
  std::vector<std::size_t> drain();
  /// Forgets the queued tests `gone` says are gone.
  void withdraw(const std::function<bool(std::size_t test)>& gone, const Estimate& estimate);
  bool empty() const { return m_queued == 0; }

private:
  struct Piece {
    std::deque<std::size_t> tests;
    double secs = 0.0; ///< estimated when queued; only orders the pieces
    std::optional<std::size_t> owner;
    std::optional<std::size_t> reserved; ///< for this sandbox, until it begins it
    std::size_t file = k_no_file; ///< k_no_file for a stolen half: late tests join the original
  };
  std::size_t new_piece(std::size_t file);
  /// Queued and not begun: a piece `take` may start.
  bool open(std::size_t piece) const;
  void unreserve(std::size_t piece);
  void retire(std::size_t piece);
  std::size_t pop(std::size_t piece, const Estimate& estimate);
  std::optional<std::size_t> steal(std::size_t sandbox, const Estimate& estimate);
  void sort_unowned();

  std::vector<Piece> m_pieces;
  /// Pieces nobody has begun, most work first.
  std::deque<std::size_t> m_unowned;
  std::unordered_map<std::size_t, std::size_t> m_current; ///< sandbox -> piece
  std::unordered_map<std::size_t, std::size_t> m_by_file; ///< file -> the piece that takes its tests
  std::size_t m_queued = 0;
  std::size_t m_reserved = 0; ///< pieces reserved for a sandbox that has not begun them
};

} // namespace offload::engine
