/* SPDX-License-Identifier: MIT */
/* A shared object named like a plugin that exports no entry point. */
#include <offload/plugin.h>

OFFLOAD_EXPORT int offload_something_else(void) {
  return 42;
}
