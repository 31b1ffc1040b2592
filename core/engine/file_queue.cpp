// SPDX-License-Identifier: MIT
#include "engine/file_queue.hpp"

#include <algorithm>

namespace offload::engine {

std::size_t FileQueue::new_piece(std::size_t file) {
  m_pieces.emplace_back();
  m_pieces.back().file = file;
  m_unowned.push_back(m_pieces.size() - 1);
  return m_pieces.size() - 1;
}

void FileQueue::add(const std::vector<std::size_t>& tests, const std::function<std::size_t(std::size_t)>& file_of,
                    const Estimate& estimate, std::optional<std::size_t> reserve_for) {
  for (std::size_t t : tests) {
    const std::size_t file = file_of(t);
    std::size_t piece = 0;
    const auto known = file == k_no_file ? m_by_file.end() : m_by_file.find(file);
    if (known != m_by_file.end()) {
      piece = known->second;
    } else {
      piece = new_piece(file);
      m_pieces[piece].reserved = reserve_for;
      m_reserved += reserve_for ? 1 : 0;
      if (file != k_no_file) {
        m_by_file[file] = piece;
      }
    }
    m_pieces[piece].tests.push_back(t);
    m_pieces[piece].secs += estimate(t);
    ++m_queued;
  }
  sort_unowned();
}

void FileQueue::sort_unowned() {
  std::erase_if(m_unowned, [&](std::size_t p) { return m_pieces[p].tests.empty() || m_pieces[p].owner; });
  std::stable_sort(m_unowned.begin(), m_unowned.end(),
                   [&](std::size_t a, std::size_t b) { return m_pieces[a].secs > m_pieces[b].secs; });
}

bool FileQueue::open(std::size_t piece) const {
  return !m_pieces[piece].tests.empty() && !m_pieces[piece].owner;
}

std::optional<std::size_t> FileQueue::take(std::size_t sandbox, const Estimate& estimate) {
  if (const auto current = m_current.find(sandbox); current != m_current.end()) {
    return pop(current->second, estimate);
  }
  // Pieces begun or emptied since the last sort are dropped as they reach
  // the front: erasing them all on every take made a take cost as much as
  // there are files (a million tests in 50,000 files: 14 s of scheduling).
  while (!m_unowned.empty() && !open(m_unowned.front())) {
    m_unowned.pop_front();
  }
  // Most work first among: what this sandbox collected, what nobody did,
  // then what another sandbox collected and has not begun.
  auto pick = m_unowned.begin();
  if (m_reserved > 0) {
    pick = std::find_if(m_unowned.begin(), m_unowned.end(),
                        [&](std::size_t p) { return open(p) && m_pieces[p].reserved == sandbox; });
    if (pick == m_unowned.end()) {
      pick = std::find_if(m_unowned.begin(), m_unowned.end(),
                          [&](std::size_t p) { return open(p) && !m_pieces[p].reserved; });
    }
    if (pick == m_unowned.end()) {
      pick = m_unowned.begin();
    }
  }
  if (pick != m_unowned.end()) {
    const std::size_t piece = *pick;
    m_unowned.erase(pick);
    unreserve(piece);
    m_pieces[piece].owner = sandbox;
    m_current[sandbox] = piece;
    return pop(piece, estimate);
  }
  return steal(sandbox, estimate);
}

void FileQueue::unreserve(std::size_t piece) {
  if (m_pieces[piece].reserved) {
    m_pieces[piece].reserved.reset();
    --m_reserved;
  }
}

bool FileQueue::has_work_for(std::size_t sandbox) const {
  if (m_current.contains(sandbox)) {
    return true;
  }
  return std::any_of(m_unowned.begin(), m_unowned.end(), [&](std::size_t p) {
    return open(p) && (!m_pieces[p].reserved || m_pieces[p].reserved == sandbox);
  });
}

void FileQueue::release(std::size_t sandbox) {
  for (std::size_t piece = 0; m_reserved > 0 && piece < m_pieces.size(); ++piece) {
    if (m_pieces[piece].reserved == sandbox) {
      unreserve(piece);
    }
  }
}

std::size_t FileQueue::pop(std::size_t piece, const Estimate& estimate) {
  Piece& p = m_pieces[piece];
  const std::size_t test = p.tests.front();
  p.tests.pop_front();
  p.secs = std::max(0.0, p.secs - estimate(test));
  --m_queued;
  if (p.tests.empty()) {
    retire(piece);
  }
  return test;
}

// Done with: late tests of its file start a piece of their own.
void FileQueue::retire(std::size_t piece) {
  Piece& p = m_pieces[piece];
  if (p.owner) {
    m_current.erase(*p.owner);
    p.owner.reset();
  }
  if (const auto mapped = m_by_file.find(p.file); mapped != m_by_file.end() && mapped->second == piece) {
    m_by_file.erase(mapped);
  }
}

std::optional<std::size_t> FileQueue::steal(std::size_t sandbox, const Estimate& estimate) {
  std::optional<std::size_t> victim;
  for (const auto& [owner, piece] : m_current) {
    if (owner != sandbox && (!victim || m_pieces[piece].secs > m_pieces[*victim].secs)) {
      victim = piece;
    }
  }
  if (!victim) {
    return std::nullopt;
  }
  // The back half: the owner keeps working through the front undisturbed,
  // and the thief pays the file's set-up once for many tests.
  const std::size_t count = std::max<std::size_t>(1, m_pieces[*victim].tests.size() / 2);
  const std::size_t piece = m_pieces.size();
  m_pieces.emplace_back();
  Piece& stolen = m_pieces.back();
  stolen.file = k_no_file;
  Piece& rest = m_pieces[*victim];
  stolen.tests.assign(rest.tests.end() - static_cast<std::ptrdiff_t>(count), rest.tests.end());
  rest.tests.resize(rest.tests.size() - count);
  for (std::size_t t : stolen.tests) {
    stolen.secs += estimate(t);
  }
  rest.secs = std::max(0.0, rest.secs - stolen.secs);
  if (rest.tests.empty()) {
    retire(*victim);
  }
  stolen.owner = sandbox;
  m_current[sandbox] = piece;
  return pop(piece, estimate);
}

std::vector<std::size_t> FileQueue::drain() {
  std::vector<std::size_t> out;
  out.reserve(m_queued);
  for (const Piece& p : m_pieces) {
    out.insert(out.end(), p.tests.begin(), p.tests.end());
  }
  *this = FileQueue();
  return out;
}

void FileQueue::withdraw(const std::function<bool(std::size_t)>& gone, const Estimate& estimate) {
  m_queued = 0;
  for (std::size_t piece = 0; piece < m_pieces.size(); ++piece) {
    Piece& p = m_pieces[piece];
    if (p.tests.empty()) {
      continue;
    }
    std::erase_if(p.tests, gone);
    p.secs = 0.0;
    for (std::size_t t : p.tests) {
      p.secs += estimate(t);
    }
    m_queued += p.tests.size();
    if (p.tests.empty()) {
      unreserve(piece);
      retire(piece);
    }
  }
  sort_unowned();
}

} // namespace offload::engine
