// SPDX-License-Identifier: MIT
#include "util/atomic_file.hpp"
#include "report/timeline.hpp"

#include <tinyxml2.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>

namespace offload::report {

namespace {

constexpr double width = 1000.0;
constexpr double margin_left = 100.0;
constexpr double margin_right = 20.0;
constexpr double plot_top = 40.0;
constexpr double axis_space = 40.0;
constexpr double plot_width = width - margin_left - margin_right;
constexpr double max_row_height = 24.0;
constexpr double min_row_height = 3.0;
/// Beyond this many pixels of rows, rows get thinner instead of the image
/// taller (down to min_row_height).
constexpr double rows_budget = 1200.0;
constexpr double label_height = 12.0;

const char* color(BatchOutcome outcome) {
  switch (outcome) {
  case BatchOutcome::Success: return "#2e9d49";
  case BatchOutcome::Failure: return "#d1382f";
  case BatchOutcome::Error: return "#e08a1e";
  case BatchOutcome::Cancelled: return "#9a9a9a";
  }
  return "#000000";
}

std::string num(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", value);
  return buf;
}

double finite_or_zero(double value) { return std::isfinite(value) ? value : 0.0; }

/// A 1, 2 or 5 times a power of ten giving between 4 and 10 intervals.
double tick_step(double span) {
  const double base = std::pow(10.0, std::floor(std::log10(span / 10.0)));
  for (const double multiple : {1.0, 2.0, 5.0}) {
    if (span / (multiple * base) <= 10.0) {
      return multiple * base;
    }
  }
  return 10.0 * base;
}

std::string tick_label(double secs, double step) {
  const int decimals = step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f s", decimals, secs);
  return buf;
}

std::string bar_title(const BatchSpan& span) {
  const double secs = std::max(0.0, finite_or_zero(span.end_secs - span.start_secs));
  char duration[64];
  std::snprintf(duration, sizeof duration, "%.2f s", secs);
  return "batch " + std::to_string(span.batch) + ": " + std::to_string(span.tests) +
         (span.tests == 1 ? " test, " : " tests, ") + duration + ", " + to_string(span.outcome);
}

class SvgWriter {
public:
  SvgWriter(std::size_t rows, double span_secs)
      : m_rows(rows), m_span(span_secs),
        m_row_height(std::clamp(rows_budget / static_cast<double>(std::max<std::size_t>(rows, 1)),
                                min_row_height, max_row_height)),
        m_axis_y(plot_top + m_row_height * static_cast<double>(std::max<std::size_t>(rows, 1))),
        m_printer(nullptr, false) {}

  std::string render(const std::vector<BatchSpan>& batches) {
    m_printer.OpenElement("svg");
    attr("xmlns", "http://www.w3.org/2000/svg");
    attr("width", num(width));
    attr("height", num(m_axis_y + axis_space));
    attr("viewBox", "0 0 " + num(width) + " " + num(m_axis_y + axis_space));
    attr("font-family", "sans-serif");
    attr("font-size", "12");
    element_with_text("title", "offload timeline");
    rect(0, 0, width, m_axis_y + axis_space, "#ffffff");
    legend();
    rows();
    axis();
    for (const BatchSpan& span : batches) {
      bar(span);
    }
    m_printer.CloseElement();
    return m_printer.CStr();
  }

private:
  void attr(const char* name, const std::string& value) {
    m_printer.PushAttribute(name, value.c_str());
  }

  void element_with_text(const char* tag, const std::string& text) {
    m_printer.OpenElement(tag);
    m_printer.PushText(text.c_str());
    m_printer.CloseElement();
  }

  void open_rect(double x, double y, double w, double h, const char* fill) {
    m_printer.OpenElement("rect");
    attr("x", num(x));
    attr("y", num(y));
    attr("width", num(w));
    attr("height", num(h));
    attr("fill", fill);
  }

  void rect(double x, double y, double w, double h, const char* fill) {
    open_rect(x, y, w, h, fill);
    m_printer.CloseElement();
  }

  void text(double x, double y, const std::string& content, const char* anchor) {
    m_printer.OpenElement("text");
    attr("x", num(x));
    attr("y", num(y));
    attr("text-anchor", anchor);
    m_printer.PushText(content.c_str());
    m_printer.CloseElement();
  }

  void line(double x1, double y1, double x2, double y2, const char* stroke) {
    m_printer.OpenElement("line");
    attr("x1", num(x1));
    attr("y1", num(y1));
    attr("x2", num(x2));
    attr("y2", num(y2));
    attr("stroke", stroke);
    m_printer.CloseElement();
  }

  double x_of(double secs) const { return margin_left + secs / m_span * plot_width; }

  void legend() {
    constexpr std::array outcomes{BatchOutcome::Success, BatchOutcome::Failure,
                                  BatchOutcome::Error, BatchOutcome::Cancelled};
    double x = margin_left;
    for (const BatchOutcome outcome : outcomes) {
      rect(x, 12, 12, 12, color(outcome));
      text(x + 16, 22, to_string(outcome), "start");
      x += 100;
    }
  }

  /// Row stripes and "sandbox N" labels; when rows are thinner than a line
  /// of text only every few rows is labelled.
  void rows() {
    const auto label_every =
        static_cast<std::size_t>(std::max(1.0, std::ceil(label_height / m_row_height)));
    for (std::size_t row = 0; row < m_rows; ++row) {
      const double top = plot_top + m_row_height * static_cast<double>(row);
      if (row % 2 == 0) {
        rect(margin_left, top, plot_width, m_row_height, "#f2f2f2");
      }
      if (row % label_every == 0) {
        text(margin_left - 8, top + m_row_height / 2 + 4, "sandbox " + std::to_string(row), "end");
      }
    }
  }

  void axis() {
    const double step = tick_step(m_span);
    for (int k = 0; k * step <= m_span * (1 + 1e-9); ++k) {
      const double secs = k * step;
      const double x = x_of(secs);
      line(x, plot_top, x, m_axis_y + 4, "#d0d0d0");
      text(x, m_axis_y + 18, tick_label(secs, step), "middle");
    }
    line(margin_left, m_axis_y, margin_left + plot_width, m_axis_y, "#606060");
  }

  void bar(const BatchSpan& span) {
    const double start = std::clamp(finite_or_zero(span.start_secs), 0.0, m_span);
    const double end = std::clamp(finite_or_zero(span.end_secs), start, m_span);
    const double padding = m_row_height >= 8 ? 2.0 : 0.0;
    const double top = plot_top + m_row_height * static_cast<double>(span.sandbox) + padding;
    const double bar_width = std::max(1.0, (end - start) / m_span * plot_width);
    open_rect(x_of(start), top, bar_width, m_row_height - 2 * padding, color(span.outcome));
    attr("class", "batch");
    // A hairline edge keeps back-to-back batches of one outcome apart.
    attr("stroke", "#ffffff");
    attr("stroke-width", "0.5");
    element_with_text("title", bar_title(span));
    m_printer.CloseElement();
  }

  std::size_t m_rows;
  double m_span;
  double m_row_height;
  double m_axis_y;
  tinyxml2::XMLPrinter m_printer;
};

} // namespace

Status write_timeline_svg(const std::filesystem::path& path, std::size_t sandbox_count,
                          const std::vector<BatchSpan>& batches, double wall_secs) {
  double span = finite_or_zero(wall_secs);
  std::size_t rows = sandbox_count;
  for (const BatchSpan& batch : batches) {
    span = std::max(span, finite_or_zero(batch.end_secs));
    // A batch on an unlisted sandbox still gets a row rather than vanishing.
    rows = std::max(rows, batch.sandbox + 1);
  }
  if (span <= 0.0) {
    span = 1.0;
  }
  SvgWriter writer(rows, span);
  return util::write_file_atomically(path, writer.render(batches));
}

} // namespace offload::report
