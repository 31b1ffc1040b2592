/* SPDX-License-Identifier: MIT */
/* The ABI 1.0 layout as the frozen header defines it, for test_abi.cpp. */
#include <offload/plugin-1.0.h>

#include <stddef.h>

#define ABI_SIZE(type) sizeof(struct type),
#define ABI_FIELD(type, field) offsetof(struct type, field),
const size_t offload_frozen_1_0_layout[] = {
#include "layout_1_0.def"
};
#undef ABI_SIZE
#undef ABI_FIELD

const size_t offload_frozen_1_0_layout_count = sizeof offload_frozen_1_0_layout / sizeof offload_frozen_1_0_layout[0];
const unsigned offload_frozen_1_0_version = OFFLOAD_ABI_VERSION;
