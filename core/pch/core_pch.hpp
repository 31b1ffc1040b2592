// SPDX-License-Identifier: MIT
// Precompiled for every file of the core library (meson's cpp_pch): the
// heavy headers most files include, directly or through core's own. Parsing
// them once instead of in each file is most of a cold build's time; a file
// still includes what it uses.

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
