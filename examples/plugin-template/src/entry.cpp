// SPDX-License-Identifier: MIT
// What the host sees of this plugin: one descriptor, one factory, and the
// keys of its [framework] section.
#include "checks_framework.hpp"

#include <offload/plugin.hpp>

namespace {

const offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "dir", "\"checks\"",
     "directory whose executable files are the tests"},
};

const offload_factory k_factory = {
    sizeof(offload_factory),
    OFFLOAD_KIND_FRAMEWORK,
    "checks",
    "Every executable file in a directory is a test that passes when it exits 0",
    1,
    0,
    k_options,
    "dir = \"checks\"\n",
    offload::sdk::framework_table<checks::ChecksFramework>(),
    &offload::sdk::create_instance<checks::ChecksFramework>,
};

} // namespace

extern "C" OFFLOAD_EXPORT int32_t offload_plugin_entry(uint32_t host_abi_version,
                                                       const offload_host_v1* /*host*/,
                                                       const offload_plugin_descriptor** out) noexcept {
  static const offload_factory* const factories[] = {&k_factory};
  static const offload_plugin_descriptor descriptor = {
      sizeof(offload_plugin_descriptor),
      OFFLOAD_ABI_VERSION,
      "checks", // the file is offload-checks.so
      "0.1.0",
      "An example framework built against the installed SDK",
      1,
      0,
      factories,
  };
  return offload::sdk::answer_entry(host_abi_version, out, descriptor);
}
