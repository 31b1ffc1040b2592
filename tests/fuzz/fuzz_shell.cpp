// SPDX-License-Identifier: MIT
// Shell quoting is what keeps test IDs data: for any words, splitting their
// quoted join gives the same words back, and splitting arbitrary text either
// works or throws the documented Failure.
#include "shell.hpp"
#include "shell_split.hpp"

#include <offload/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)offload::plugin_support::shell_split(text);
  } catch (const offload::sdk::Failure&) {
  }
  // Words: the input cut at each 0x01 byte (NUL cannot be in an argv word).
  std::vector<std::string> words(1);
  for (const char c : text) {
    if (c == '\x01') {
      words.emplace_back();
    } else if (c != '\0') {
      words.back() += c;
    }
  }
  const auto back = offload::plugin_support::shell_split(offload::plugin_support::shell_join(words));
  if (back != words) {
    __builtin_trap();
  }
  return 0;
}
