// SPDX-License-Identifier: MIT
#include "vitest_factory.hpp"

#include "vitest_framework.hpp"

#include <offload/plugin.hpp>

#include <iterator>

namespace offload::plugins {
namespace {

constexpr offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "command", "[\"npx\", \"vitest\"]",
     "The words that start vitest, e.g. [\"npx\", \"vitest\"] or [\"node_modules/.bin/vitest\"]"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "vitest_args", "[]",
     "vitest arguments for discovery (vitest list) and every batch (vitest run), e.g. [\"--config\", "
     "\"vitest.ci.js\"]; a group's filters select tests (discovery only)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "run_args", "[]",
     "vitest arguments for running batches only, e.g. [\"--no-file-parallelism\"]"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "working_dir", nullptr,
     "Directory vitest runs in (its root, with package.json); default: where offload runs"},
};

// Runs as written on a project whose node_modules holds vitest (npm ci).
constexpr const char* k_config_template = R"toml(# vitest runs as: command... list --json (discovery) and command... run (batches).
# Test IDs are "<file> > <describe>... > <test>". A group's filters are
# arguments of `vitest list`, e.g. "tests/unit" or "-t 'math'".
command = ["npx", "vitest"]
# vitest arguments for discovery and every batch, e.g. ["--config", "vitest.ci.js"].
vitest_args = []
# vitest arguments for running batches only.
run_args = []
)toml";

} // namespace

const offload_factory& vitest_factory() noexcept {
  static const offload_factory factory = {
      sizeof(offload_factory),
      OFFLOAD_KIND_FRAMEWORK,
      "vitest",
      "JavaScript/TypeScript tests collected and run by vitest",
      static_cast<uint32_t>(std::size(k_options)),
      0,
      k_options,
      k_config_template,
      sdk::framework_table<VitestFramework>(),
      &sdk::create_instance<VitestFramework>,
  };
  return factory;
}

} // namespace offload::plugins
