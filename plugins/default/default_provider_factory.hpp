// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

namespace offload::plugins {

/// The factory of the `default` provider: options, config template, functions.
const offload_factory& default_provider_factory() noexcept;

} // namespace offload::plugins
