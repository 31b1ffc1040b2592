// SPDX-License-Identifier: MIT
#include "default_factory.hpp"

#include "default_framework.hpp"

#include <offload/plugin.hpp>

#include <iterator>

namespace offload::plugins {
namespace {

constexpr offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, OFFLOAD_OPTION_REQUIRED, 0, "discover_command", nullptr,
     "Shell command printing one test ID per line; a group's filters replace {filters}"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, OFFLOAD_OPTION_REQUIRED, 0, "run_command", nullptr,
     "Shell command running a batch: {tests} becomes the quoted test IDs, {result_file} the JUnit path"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "result_file", nullptr,
     "Fixed JUnit XML path (relative to working_dir) for runners that cannot be told where to write"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "working_dir", nullptr,
     "Directory both commands run in"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "test_id_format", "\"{name}\"",
     "How a JUnit testcase's {name} and {classname} form its test ID"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "worker_command", nullptr,
     "Command of a persistent worker speaking docs/worker-protocol.md on stdin/stdout; {scratch_dir} is its "
     "private directory"},
};

// A self-contained example that runs as written: two tests that always pass.
constexpr const char* k_config_template = R"toml(# Prints one test ID per line. To use a group's `filters`, put {filters}
# where the runner takes them.
discover_command = '''printf '%s\n' test_one test_two'''
# Runs one batch: {tests} becomes the batch's quoted test IDs and
# {result_file} the path where JUnit XML is expected.
run_command = '''(printf '<testsuites><testsuite name="example">'; for t in {tests}; do printf '<testcase name="%s"/>' "$t"; done; printf '</testsuite></testsuites>\n') > {result_file}'''
# How a JUnit testcase's {name} and {classname} make up its test ID.
test_id_format = "{name}"
)toml";

} // namespace

const offload_factory& default_factory() noexcept {
  static const offload_factory factory = {
      sizeof(offload_factory),
      OFFLOAD_KIND_FRAMEWORK,
      "default",
      "Any test runner, listed and run through shell commands",
      static_cast<uint32_t>(std::size(k_options)),
      0,
      k_options,
      k_config_template,
      sdk::framework_table<DefaultFramework>(),
      &sdk::create_instance<DefaultFramework>,
  };
  return factory;
}

} // namespace offload::plugins
