// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>

namespace offload::process {

/// The longest timeout anything may set, about 31 years. A deadline much
/// further out (292 years) no longer fits the clock's int64 nanoseconds,
/// and the conversions on the way there are undefined behaviour.
inline constexpr std::chrono::seconds k_max_timeout{1'000'000'000};

} // namespace offload::process
