// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

namespace offload::plugins {

/// The factory of the `modal` provider: options, config template, functions.
const offload_factory& modal_factory() noexcept;

} // namespace offload::plugins
