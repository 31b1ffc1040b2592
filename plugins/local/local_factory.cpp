// SPDX-License-Identifier: MIT
#include "local_factory.hpp"

#include "local_provider.hpp"

#include <offload/plugin.hpp>

#include <iterator>

namespace offload::plugins {
namespace {

constexpr offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "working_dir", nullptr,
     "Directory commands run in and relative result paths start from (default: the current directory)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_TABLE, 0, 0, "env", "{}",
     "Environment variables added for every command"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "shell", "\"/bin/sh\"",
     "Shell that runs each command line with -c"},
};

constexpr const char* k_config_template =
    "# Where commands run; relative paths of result files start here too.\n"
    "working_dir = \".\"\n";


} // namespace

const offload_factory& local_factory() noexcept {
  static const offload_factory factory = {
      sizeof(offload_factory),
      OFFLOAD_KIND_PROVIDER,
      "local",
      "Run tests as local processes, one private temp dir per sandbox",
      static_cast<uint32_t>(std::size(k_options)),
      0,
      k_options,
      k_config_template,
      sdk::provider_table<LocalProvider>(),
      &sdk::create_instance<LocalProvider>,
  };
  return factory;
}

} // namespace offload::plugins
