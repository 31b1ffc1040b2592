// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

namespace offload::plugins {

/// The factory of the `gtest` framework: options, config template, functions.
const offload_factory& gtest_factory() noexcept;

} // namespace offload::plugins
