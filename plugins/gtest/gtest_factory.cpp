// SPDX-License-Identifier: MIT
#include "gtest_factory.hpp"

#include "gtest_framework.hpp"

#include <offload/plugin.hpp>

#include <iterator>

namespace offload::plugins {
namespace {

constexpr offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, OFFLOAD_OPTION_REQUIRED, 0, "binaries", nullptr,
     "GoogleTest executables: paths or globs, relative to working_dir"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "working_dir", nullptr,
     "Directory the binaries are found from and run in; default: the current directory"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "extra_args", "[]",
     "Arguments given to every binary, before offload's --gtest_* flags"},
};

// Loads as written; the binaries must exist (be built) before `offload run`.
constexpr const char* k_config_template = R"toml(# GoogleTest executables, built before `offload run`: paths or globs,
# relative to working_dir. Test IDs are gtest's "Suite.Name"; with several
# binaries they start with the binary's file name and a space.
# A group's filters are a --gtest_filter pattern, e.g. "Math*.*:-*.Slow".
binaries = ["build/*_test"]
# working_dir = "."
extra_args = []
)toml";

} // namespace

const offload_factory& gtest_factory() noexcept {
  static const offload_factory factory = {
      sizeof(offload_factory),
      OFFLOAD_KIND_FRAMEWORK,
      "gtest",
      "GoogleTest binaries",
      static_cast<uint32_t>(std::size(k_options)),
      0,
      k_options,
      k_config_template,
      sdk::framework_table<GTestFramework>(),
      &sdk::create_instance<GTestFramework>,
  };
  return factory;
}

} // namespace offload::plugins
