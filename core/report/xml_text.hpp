// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace offload::report {

/// Largest system-out, system-err or failure text kept in a report.
inline constexpr std::size_t max_report_text_bytes = 1024 * 1024;

/// `text` as valid UTF-8 holding only characters XML 1.0 allows: invalid
/// byte sequences and forbidden characters (NUL, ESC and the other C0
/// controls but tab, LF and CR; U+FFFE, U+FFFF) become U+FFFD.
std::string xml_safe(std::string_view text);

/// The last `limit` bytes of `text` (starting at a UTF-8 character
/// boundary), prefixed with "[... N bytes truncated ...]\n" when anything
/// was dropped; `text` itself when it fits.
std::string keep_tail(std::string_view text, std::size_t limit = max_report_text_bytes);

} // namespace offload::report
