// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

namespace offload::plugins {

/// The factory of the `local` provider: options, config template, functions.
const offload_factory& local_factory() noexcept;

} // namespace offload::plugins
