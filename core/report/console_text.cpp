// SPDX-License-Identifier: MIT
#include "report/console_text.hpp"

#include "util/terminal_text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <utility>

namespace offload::report {
namespace {

// Fewer columns than this left for the running test's ID: it is left out.
constexpr std::size_t k_min_id_columns = 12;
constexpr std::size_t k_max_bar_columns = 30;
constexpr std::size_t k_min_bar_columns = 10;
constexpr std::string_view k_ellipsis = "...";

/// The code point starting at `text[i]` and how many bytes it takes; a byte
/// that starts no well-formed sequence counts as one code point of its own.
std::pair<char32_t, std::size_t> decode(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const std::size_t len = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
  if (len == 1 || i + len > text.size()) {
    return {lead, 1};
  }
  char32_t cp = lead & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  }
  return {cp, len};
}

std::size_t columns_of(char32_t cp) {
  const auto in = [cp](char32_t lo, char32_t hi) { return cp >= lo && cp <= hi; };
  if (in(0x0300, 0x036F) || in(0x200B, 0x200F) || in(0xFE00, 0xFE0F)) {
    return 0;
  }
  const bool wide = in(0x1100, 0x115F) || in(0x2E80, 0x303E) || in(0x3041, 0x33FF) || in(0x3400, 0x4DBF) ||
                    in(0x4E00, 0x9FFF) || in(0xA000, 0xA4CF) || in(0xAC00, 0xD7A3) || in(0xF900, 0xFAFF) ||
                    in(0xFE30, 0xFE4F) || in(0xFF00, 0xFF60) || in(0xFFE0, 0xFFE6) || in(0x1F300, 0x1F64F) ||
                    in(0x1F900, 0x1F9FF) || in(0x20000, 0x3FFFD);
  return wide ? 2 : 1;
}

std::string first_line(std::string_view text) {
  return util::terminal_text(text.substr(0, text.find('\n')));
}

// Attempts that ran the test (a sandbox failure or a cancelled copy did not).
std::size_t attempts_run(const TestRecord& record) {
  return static_cast<std::size_t>(std::count_if(record.attempts.begin(), record.attempts.end(), [](const Attempt& a) {
    return a.result != AttemptResult::Infrastructure && a.result != AttemptResult::Cancelled;
  }));
}

std::string why(const TestEnd& end) {
  const Attempt* a = end.attempt;
  const std::size_t n = attempts_run(end.record);
  if (!end.settled) {
    return "attempt " + std::to_string(n) + " " + to_string(a->result) + ", runs again";
  }
  switch (end.record.verdict) {
  case Verdict::Passed: return "";
  case Verdict::Flaky: return "passed on attempt " + std::to_string(n);
  case Verdict::Failed: {
    std::string out = a != nullptr && a->result != AttemptResult::Failed ? to_string(a->result) : "";
    if (n > 1) {
      out += (out.empty() ? "" : ", ") + ("attempt " + std::to_string(n));
    }
    return out;
  }
  case Verdict::Skipped: return a != nullptr ? first_line(a->message) : "";
  case Verdict::NotRun: return first_line(end.record.not_run_reason);
  }
  return "";
}

} // namespace

std::string counts_text(const Counts& c) {
  std::string out = "passed " + std::to_string(c.passed) + ", failed " + std::to_string(c.failed);
  if (c.flaky > 0) out += ", flaky " + std::to_string(c.flaky);
  if (c.skipped > 0) out += ", skipped " + std::to_string(c.skipped);
  if (c.not_run > 0) out += ", not run " + std::to_string(c.not_run);
  return out;
}

std::string eta_text(double secs) {
  if (!(secs > 0.0) || !std::isfinite(secs)) {
    return "";
  }
  const long s = std::lround(secs);
  return s >= 60 ? ", ETA " + std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s"
                 : ", ETA " + std::to_string(s) + "s";
}

std::string clock_text(double secs) {
  if (!std::isfinite(secs) || secs < 0.0) {
    secs = 0.0;
  }
  char buf[32];
  if (secs < 9.95) {
    std::snprintf(buf, sizeof buf, "%.1fs", secs);
    return buf;
  }
  const long s = std::lround(secs);
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%lds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s % 3600 / 60);
  }
  return buf;
}

std::size_t columns_of(std::string_view text) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto [cp, len] = decode(text, i);
    columns += columns_of(cp);
    i += len;
  }
  return columns;
}

std::string fit_tail(std::string_view text, std::size_t columns) {
  if (columns_of(text) <= columns) {
    return std::string(text);
  }
  if (columns < k_ellipsis.size()) {
    return std::string(k_ellipsis.substr(0, columns));
  }
  std::size_t room = columns - k_ellipsis.size();
  std::size_t from = text.size();
  while (from > 0) {
    // Back to the start of the code point before `from`, so no cut splits one.
    std::size_t start = from - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
      --start;
    }
    const std::size_t w = columns_of(decode(text, start).first);
    if (w > room) {
      break;
    }
    room -= w;
    from = start;
  }
  return std::string(k_ellipsis) + std::string(text.substr(from));
}

std::string verdict_line(const TestEnd& end) {
  const Attempt* a = end.attempt;
  if (!end.settled &&
      (a == nullptr || a->result == AttemptResult::Cancelled || a->result == AttemptResult::Infrastructure)) {
    return "";
  }
  std::string word = end.settled ? to_string(end.record.verdict) : "retry";
  std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::toupper(c); });
  char head[16];
  std::snprintf(head, sizeof head, "%-7s ", word.c_str());
  std::string line = head + util::terminal_text(end.record.test.id);
  if (a != nullptr) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "  %.2fs", a->duration_secs);
    line += secs;
  }
  line += "  sandbox " + std::to_string(end.sandbox);
  if (const std::string note = why(end); !note.empty()) {
    line += "  (" + note + ")";
  }
  return line;
}

std::string status_line(const StatusView& v, std::size_t columns) {
  const std::size_t limit = columns > 1 ? columns - 1 : 0;
  const std::size_t width = std::clamp(limit / 4, k_min_bar_columns, k_max_bar_columns);
  const std::size_t done = v.counts.settled();
  const std::size_t filled = v.total == 0 ? width : std::min(width, width * done / v.total);
  std::string line = "[" + std::string(filled, '#') + std::string(width - filled, '-') + "] " +
                     std::to_string(done) + "/" + std::to_string(v.total) + " in " + clock_text(v.elapsed_secs) +
                     "  " + counts_text(v.counts) + eta_text(v.eta_secs);
  if (!v.running.empty()) {
    const std::string lead = "  | ";
    const std::string tail = (v.running_batch > 1 ? " +" + std::to_string(v.running_batch - 1) : std::string()) +
                             " " + clock_text(v.running_secs);
    const std::size_t used = columns_of(line) + lead.size() + tail.size();
    if (used + k_min_id_columns <= limit) {
      return line + lead + fit_tail(v.running, limit - used) + tail;
    }
  }
  // Only ASCII so far: bytes are columns.
  if (line.size() > limit) {
    line.resize(limit);
  }
  return line;
}

} // namespace offload::report
