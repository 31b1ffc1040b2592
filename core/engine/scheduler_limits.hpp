// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

namespace offload::engine {

/// Quotes and a separator around each test ID on a command line.
inline constexpr std::size_t k_per_id_chars = 3;

} // namespace offload::engine
