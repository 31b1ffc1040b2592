// SPDX-License-Identifier: MIT
#if OFFLOAD_WITH_FRAMEWORK_DEFAULT
#include "default_factory.hpp"
#endif
#if OFFLOAD_WITH_PROVIDER_DEFAULT
#include "default_provider_factory.hpp"
#endif

#include <offload/plugin.hpp>

#include <iterator>

extern "C" OFFLOAD_EXPORT int32_t offload_plugin_entry(uint32_t host_abi_version,
                                                       const offload_host_v1* /*host*/,
                                                       const offload_plugin_descriptor** out) noexcept {
  // A packager may ship the framework or the provider alone (meson options).
  static const offload_factory* const factories[] = {
#if OFFLOAD_WITH_FRAMEWORK_DEFAULT
      &offload::plugins::default_factory(),
#endif
#if OFFLOAD_WITH_PROVIDER_DEFAULT
      &offload::plugins::default_provider_factory(),
#endif
  };
  static const offload_plugin_descriptor descriptor = {
      sizeof(offload_plugin_descriptor),
      OFFLOAD_ABI_VERSION,
      "default",
      "0.1.0",
      "Runs any test runner, and any kind of sandbox, through configured shell commands",
      static_cast<uint32_t>(std::size(factories)),
      0,
      factories,
  };
  return offload::sdk::answer_entry(host_abi_version, out, descriptor);
}
