// SPDX-License-Identifier: MIT
#include "ssh_factory.hpp"

#include <offload/plugin.hpp>

extern "C" OFFLOAD_EXPORT int32_t offload_plugin_entry(uint32_t host_abi_version,
                                                       const offload_host_v1* /*host*/,
                                                       const offload_plugin_descriptor** out) noexcept {
  static const offload_factory* const factories[] = {&offload::plugins::ssh::ssh_factory()};
  static const offload_plugin_descriptor descriptor = {
      sizeof(offload_plugin_descriptor),
      OFFLOAD_ABI_VERSION,
      "ssh",
      "0.1.0",
      "Runs tests on machines reached over ssh",
      1,
      0,
      factories,
  };
  return offload::sdk::answer_entry(host_abi_version, out, descriptor);
}
