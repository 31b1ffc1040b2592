// SPDX-License-Identifier: MIT
// Any bytes as offload.toml: a config or one error, nothing else.
#include "config/config.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto config = offload::config::parse(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  if (!config && config.error().message.empty()) {
    __builtin_trap(); // an error must say something
  }
  return 0;
}
