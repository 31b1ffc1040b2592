// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

namespace offload::plugins::ssh {

/// The factory of the `ssh` provider: options, config template, functions.
const offload_factory& ssh_factory() noexcept;

} // namespace offload::plugins::ssh
