// SPDX-License-Identifier: MIT
#include "default_provider_factory.hpp"

#include "default_provider.hpp"

#include <offload/plugin.hpp>

#include <iterator>

namespace offload::plugins {
namespace {

constexpr offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "prepare_command", nullptr,
     "Shell command run once to build an image; its last line of output is the image ID"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, OFFLOAD_OPTION_REQUIRED, 0, "create_command", nullptr,
     "Shell command creating a sandbox from {image_id}; its last line of output is the sandbox ID"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, OFFLOAD_OPTION_REQUIRED, 0, "exec_command", nullptr,
     "Shell command running {command} in sandbox {sandbox_id}, in the foreground, with its exit status "
     "and its stdin passed on (ssh, docker exec -i, kubectl exec -i)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "download_command", nullptr,
     "Required: shell command copying the REMOTE:LOCAL pairs of {paths} out of {sandbox_id}"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, OFFLOAD_OPTION_REQUIRED, 0, "destroy_command", nullptr,
     "Shell command removing sandbox {sandbox_id}"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "working_dir", nullptr,
     "Directory the commands run in (default: the current directory)"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "timeout_secs", "3600",
     "Timeout of the prepare, create, download and destroy commands"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "copy_dirs", "[]",
     "LOCAL:REMOTE directories for the image, passed to prepare_command as --copy-dir=LOCAL:REMOTE"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_TABLE, 0, 0, "env", "{}",
     "Environment variables exported for every command run in a sandbox"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "scratch_dir", "\"/tmp\"",
     "Directory private to each sandbox, inside it, for result files; {sandbox_id} is replaced"},
    {sizeof(offload_option), OFFLOAD_OPTION_BOOLEAN, 0, 0, "destroy_removes_scratch", "false",
     "destroy_command removes all of the sandbox, scratch_dir included (a container, a VM): offload then "
     "runs no command removing its private directory first, one round trip less per sandbox"},
};

// Runs as written: each sandbox is a private copy of the project under
// $TMPDIR, made by a script shipped with offload.
constexpr const char* k_config_template = R"toml(# Each command runs with /bin/sh -c in working_dir. {sandbox_id}, {image_id},
# {command} and {paths} are replaced by quoted words; @name.ext is a script
# shipped with offload. local_sandbox.sh gives every sandbox a private copy
# of the current directory under $TMPDIR (set sandbox_project_root = "." in
# [offload] so $OFFLOAD_ROOT names that copy).
create_command = "@local_sandbox.sh create"
exec_command = "@local_sandbox.sh exec {sandbox_id} {command}"
download_command = "@local_sandbox.sh download {sandbox_id} {paths}"
destroy_command = "@local_sandbox.sh destroy {sandbox_id}"
# Result files go here, inside the sandbox and private to it; destroy
# removes the whole sandbox, so nothing has to remove them first.
scratch_dir = "{sandbox_id}/tmp"
destroy_removes_scratch = true
timeout_secs = 600
)toml";

} // namespace

const offload_factory& default_provider_factory() noexcept {
  static const offload_factory factory = {
      sizeof(offload_factory),
      OFFLOAD_KIND_PROVIDER,
      "default",
      "Sandboxes made and driven by your own shell commands (or a bundled script)",
      static_cast<uint32_t>(std::size(k_options)),
      0,
      k_options,
      k_config_template,
      sdk::provider_table<DefaultProvider>(),
      &sdk::create_instance<DefaultProvider>,
  };
  return factory;
}

} // namespace offload::plugins
