/* SPDX-License-Identifier: MIT */
/* plugin.h must compile alone as strict C99 (see meson.build for flags). */
#include <offload/plugin.h>

int offload_abi_header_compiles_as_c(void);
int offload_abi_header_compiles_as_c(void) {
  return (int)sizeof(struct offload_provider_v1);
}
