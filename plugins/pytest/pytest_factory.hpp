// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

namespace offload::plugins {

/// The factory of the `pytest` framework: options, config template, functions.
const offload_factory& pytest_factory() noexcept;

} // namespace offload::plugins
