// SPDX-License-Identifier: MIT
// The JUnit reader takes whatever a runner or a broken download left: it
// must answer cases or an error, never crash, hang or read out of bounds.
#include "report/junit.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto cases = offload::report::parse_junit(std::string_view(reinterpret_cast<const char*>(data), size));
  if (cases) {
    for (const auto& c : *cases) {
      (void)c.name.size();
    }
  }
  return 0;
}
