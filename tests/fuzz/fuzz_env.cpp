// SPDX-License-Identifier: MIT
// ${VAR} expansion of config strings: expanding text with no `$` gives it
// back unchanged, or an error when it is not UTF-8 (what is expanded goes on
// as JSON text), and nothing crashes.
#include "config/config.hpp"
#include "util/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv("OFFLOAD_FUZZ_SET", "value", 1);
  ::setenv("OFFLOAD_FUZZ_EMPTY", "", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto expanded = offload::config::expand_env(text);
  if (text.find('$') == std::string_view::npos &&
      (offload::util::valid_utf8(text) ? !expanded || *expanded != text : expanded.ok())) {
    __builtin_trap();
  }
  return 0;
}
