// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

namespace offload::plugins {

/// The factory of the `cargo` framework: options, config template, functions.
const offload_factory& cargo_factory() noexcept;

} // namespace offload::plugins
