// SPDX-License-Identifier: MIT
// Precompiled for the plugins' shared code (meson's cpp_pch): the JSON
// header every file includes costs more to parse than the file itself; a
// file still includes what it uses.

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
