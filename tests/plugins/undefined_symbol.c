/* SPDX-License-Identifier: MIT */
/* A plugin that needs a symbol nobody defines: loading it must fail at once
 * (RTLD_NOW), not at its first call. */
#include <offload/plugin.h>

extern int offload_fixture_missing_function(void);

OFFLOAD_EXPORT int32_t offload_plugin_entry(uint32_t v, const struct offload_host_v1 *host,
                                            const struct offload_plugin_descriptor **out) {
  (void)v; (void)host; (void)out;
  return offload_fixture_missing_function();
}
