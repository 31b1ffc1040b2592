// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

namespace offload::plugins {

/// The factory of the `default` framework: options, config template, functions.
const offload_factory& default_factory() noexcept;

} // namespace offload::plugins
