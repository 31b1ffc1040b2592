// SPDX-License-Identifier: MIT
// Precompiled for every unit test file (meson's cpp_pch): at -O0 parsing
// these headers is most of a test file's compile time; a file still
// includes what it uses.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <offload/plugin.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
