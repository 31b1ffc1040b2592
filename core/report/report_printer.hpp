// SPDX-License-Identifier: MIT
#pragma once

// How junit.xml is printed: streamed through tinyxml2, every attribute and
// text made XML-safe. Internal to the JUnit writer.

#include "report/xml_text.hpp"

#include <tinyxml2.h>

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace offload::report {

/// Surefire's time pattern allows at most three decimals and no exponent.
std::string format_time(double secs);

/// The totals of a <testsuite> or of the whole report.
struct SuiteCounts {
  std::size_t tests = 0;
  std::size_t failures = 0;
  std::size_t errors = 0;
  std::size_t skipped = 0;
  double time_secs = 0.0;

  SuiteCounts& operator+=(const SuiteCounts& other) {
    tests += other.tests;
    failures += other.failures;
    errors += other.errors;
    skipped += other.skipped;
    time_secs += other.time_secs;
    return *this;
  }
};

/// tinyxml2's printer, except that line breaks and tabs inside attribute
/// values are written as character references: written raw, every XML
/// reader would turn them into spaces.
class AttributePreservingPrinter : public tinyxml2::XMLPrinter {
public:
  explicit AttributePreservingPrinter(std::FILE* stream) : tinyxml2::XMLPrinter(stream) {}

  void push_attribute(const char* name, const char* value) {
    m_in_attribute = true;
    PushAttribute(name, value);
    m_in_attribute = false;
  }

protected:
  void Write(const char* data, std::size_t size) override;

private:
  bool m_in_attribute = false;
};

/// Streams the report through tinyxml2's printer, making every attribute
/// and text XML-safe on the way.
class ReportPrinter {
public:
  explicit ReportPrinter(std::FILE* stream) : m_printer(stream) {}

  void declaration() { m_printer.PushDeclaration(R"(xml version="1.0" encoding="UTF-8")"); }
  void open(const char* tag) { m_printer.OpenElement(tag); }
  void close() { m_printer.CloseElement(); }

  void attribute(const char* name, std::string_view value) {
    m_printer.push_attribute(name, xml_safe(value).c_str());
  }
  void attribute(const char* name, std::size_t value) {
    m_printer.push_attribute(name, std::to_string(value).c_str());
  }

  /// Text content, capped so a runaway test cannot bloat the report.
  void text(std::string_view value) {
    if (!value.empty()) {
      m_printer.PushText(xml_safe(keep_tail(value)).c_str());
    }
  }

  void text_element(const char* tag, std::string_view value) {
    open(tag);
    // An empty text keeps the element open/close pair: <stackTrace></stackTrace>.
    m_printer.PushText("");
    text(value);
    close();
  }

  void counts(const SuiteCounts& c) {
    attribute("tests", c.tests);
    attribute("failures", c.failures);
    attribute("errors", c.errors);
    attribute("skipped", c.skipped);
    attribute("time", format_time(c.time_secs));
  }

private:
  AttributePreservingPrinter m_printer;
};

} // namespace offload::report
