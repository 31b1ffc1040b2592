// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

namespace offload::plugins {

/// The factory of the `vitest` framework: options, config template, functions.
const offload_factory& vitest_factory() noexcept;

} // namespace offload::plugins
