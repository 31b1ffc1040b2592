// SPDX-License-Identifier: MIT
#include "pytest_factory.hpp"

#include "pytest_framework.hpp"

#include <offload/plugin.hpp>

#include <iterator>

namespace offload::plugins {
namespace {

constexpr offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "python", "\"python3\"",
     "Program that starts a Python with pytest: an interpreter, or a wrapper such as uv (its words in extra_args)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "extra_args", "[]",
     "Words between python and -m pytest (not pytest arguments), e.g. [\"run\", \"--with=pytest\", \"python\"] for "
     "python = \"uv\""},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "pytest_args", "[]",
     "pytest arguments for discovery and every batch, e.g. [\"--doctest-modules\", \"--import-mode=importlib\", "
     "\"-o\", \"key=value\"]; a group's filters select tests (discovery only)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "paths", "[]",
     "Files or directories to collect tests from; [] uses pytest's own configuration (testpaths, rootdir)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "run_args", "[]",
     "pytest arguments for running batches only, never for discovery, e.g. [\"-p\", \"no:cacheprovider\"]"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "working_dir", nullptr,
     "Directory pytest runs in, for discovery and batches (default: where offload runs)"},
    {sizeof(offload_option), OFFLOAD_OPTION_BOOLEAN, 0, 0, "fork_workers", "true",
     "Fork the persistent workers that run on this machine from one process that imported pytest, so they "
     "pay its imports once; false starts each in an interpreter of its own"},
};

// Runs as written on a project whose python3 has pytest.
constexpr const char* k_config_template = R"toml(# The Python that has pytest. pytest runs as: python extra_args... -m pytest
# A wrapper works too: python = "uv", extra_args = ["run", "--with=pytest", "python"]
python = "python3"
extra_args = []
# Where tests are collected from; [] lets pytest use its own configuration.
paths = []
# pytest arguments for discovery and every batch alike: what changes what is
# collected or how, e.g. ["--doctest-modules", "--import-mode=importlib"].
# (A group's filters, e.g. "-m 'not slow'", only select tests.)
pytest_args = []
# pytest arguments for running batches only, e.g. ["-p", "no:cacheprovider"].
run_args = []
)toml";

} // namespace

const offload_factory& pytest_factory() noexcept {
  static const offload_factory factory = {
      sizeof(offload_factory),
      OFFLOAD_KIND_FRAMEWORK,
      "pytest",
      "Python tests collected and run by pytest",
      static_cast<uint32_t>(std::size(k_options)),
      0,
      k_options,
      k_config_template,
      sdk::framework_table<PytestFramework>(),
      &sdk::create_instance<PytestFramework>,
  };
  return factory;
}

} // namespace offload::plugins
