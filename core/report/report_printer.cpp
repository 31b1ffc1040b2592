// SPDX-License-Identifier: MIT
#include "report/report_printer.hpp"

#include <cmath>
#include <cstring>

namespace offload::report {

std::string format_time(double secs) {
  if (!std::isfinite(secs) || secs < 0.0) {
    secs = 0.0;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", secs);
  return buf;
}

void AttributePreservingPrinter::Write(const char* data, std::size_t size) {
  if (!m_in_attribute) {
    tinyxml2::XMLPrinter::Write(data, size);
    return;
  }
  std::size_t run = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const char* reference = data[i] == '\n'   ? "&#10;"
                            : data[i] == '\r' ? "&#13;"
                            : data[i] == '\t' ? "&#9;"
                                              : nullptr;
    if (reference != nullptr) {
      tinyxml2::XMLPrinter::Write(data + run, i - run);
      tinyxml2::XMLPrinter::Write(reference, std::strlen(reference));
      run = i + 1;
    }
  }
  tinyxml2::XMLPrinter::Write(data + run, size - run);
}

} // namespace offload::report
