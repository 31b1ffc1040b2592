// SPDX-License-Identifier: MIT
#include "junit_xml.hpp"

#include <cstdint>
#include <cstdio>

namespace offload::plugins {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";

/// Length of the valid UTF-8 sequence starting at `pos`, or 0.
std::size_t utf8_sequence(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) {
    return 1;
  }
  std::size_t length = 0;
  uint32_t min = 0;
  uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code = lead & 0x07;
  } else {
    return 0;
  }
  if (pos + length > text.size()) {
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) {
      return 0;
    }
    code = (code << 6) | (byte(pos + i) & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates and values past Unicode are not UTF-8.
  if (code < min || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
    return 0;
  }
  return length;
}

/// Escaped for XML text or a double-quoted attribute. Control characters
/// XML 1.0 cannot hold become U+FFFD; in attributes, line breaks and tabs
/// become character references so a reader gets them back.
std::string escape(std::string_view raw, bool attribute) {
  const std::string text = valid_utf8(raw);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += attribute ? "&quot;" : "\""; break;
    case '\n': out += attribute ? "&#10;" : "\n"; break;
    case '\r': out += "&#13;"; break;
    case '\t': out += attribute ? "&#9;" : "\t"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        out += k_replacement;
      } else {
        out += c;
      }
    }
  }
  return out;
}

std::string seconds(double secs) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6f", secs < 0.0 ? 0.0 : secs);
  return buffer;
}

} // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (const std::size_t length = utf8_sequence(text, pos); length > 0) {
      out.append(text, pos, length);
      pos += length;
    } else {
      out += k_replacement;
      ++pos;
    }
  }
  return out;
}

std::string first_line(std::string_view text) {
  constexpr std::string_view space = " \t\r";
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    const std::size_t begin = line.find_first_not_of(space);
    if (begin != std::string_view::npos) {
      line = line.substr(begin, line.find_last_not_of(space) - begin + 1);
      return std::string(line);
    }
    if (end == std::string_view::npos) {
      break;
    }
    text.remove_prefix(end + 1);
  }
  return {};
}

std::string junit_document(const std::vector<JUnitSuite>& suites) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  for (const JUnitSuite& suite : suites) {
    std::size_t failures = 0;
    std::size_t skipped = 0;
    double total = 0.0;
    for (const JUnitResult& result : suite.results) {
      failures += result.outcome == JUnitResult::Outcome::Failed ? 1 : 0;
      skipped += result.outcome == JUnitResult::Outcome::Skipped ? 1 : 0;
      total += result.time_secs.value_or(0.0);
    }
    xml += "  <testsuite name=\"" + escape(suite.name, true) + "\" tests=\"" +
           std::to_string(suite.results.size()) + "\" failures=\"" + std::to_string(failures) +
           "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\" time=\"" + seconds(total) + "\">\n";
    for (const JUnitResult& result : suite.results) {
      xml += "    <testcase classname=\"" + escape(result.classname, true) + "\" name=\"" +
             escape(result.name, true) + "\"";
      if (result.time_secs) {
        xml += " time=\"" + seconds(*result.time_secs) + "\"";
      }
      switch (result.outcome) {
      case JUnitResult::Outcome::Passed:
        xml += "/>\n";
        break;
      case JUnitResult::Outcome::Failed:
        xml += ">\n      <failure message=\"" + escape(result.message, true) + "\">" +
               escape(result.details, false) + "</failure>\n    </testcase>\n";
        break;
      case JUnitResult::Outcome::Skipped:
        xml += ">\n      <skipped message=\"" + escape(result.message, true) + "\"/>\n    </testcase>\n";
        break;
      }
    }
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

} // namespace offload::plugins
