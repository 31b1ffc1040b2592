// SPDX-License-Identifier: MIT
#include "cargo_factory.hpp"

#include <offload/plugin.hpp>

extern "C" OFFLOAD_EXPORT int32_t offload_plugin_entry(uint32_t host_abi_version,
                                                       const offload_host_v1* /*host*/,
                                                       const offload_plugin_descriptor** out) noexcept {
  static const offload_factory* const factories[] = {&offload::plugins::cargo_factory()};
  static const offload_plugin_descriptor descriptor = {
      sizeof(offload_plugin_descriptor),
      OFFLOAD_ABI_VERSION,
      "cargo",
      "0.1.0",
      "Runs Rust tests built by cargo",
      1,
      0,
      factories,
  };
  return offload::sdk::answer_entry(host_abi_version, out, descriptor);
}
