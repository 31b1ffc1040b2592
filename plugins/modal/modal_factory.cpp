// SPDX-License-Identifier: MIT
#include "modal_factory.hpp"

#include "modal_provider.hpp"

#include <offload/plugin.hpp>

#include <iterator>

namespace offload::plugins {
namespace {

constexpr offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "dockerfile", nullptr,
     "Dockerfile the image is built from (default: Modal's Debian slim image)"},
    {sizeof(offload_option), OFFLOAD_OPTION_BOOLEAN, 0, 0, "include_cwd", "false",
     "Copy the current directory into the image at /app"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "copy_dirs", "[]",
     "LOCAL:REMOTE directories copied into the image"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_TABLE, 0, 0, "env", "{}",
     "Environment variables exported for every command run in a sandbox"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "python", "\"\"",
     "Command running the bundled modal_sandbox.py (default: `uv run` when uv is installed, else python3)"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "timeout_secs", "3600",
     "Timeout of building the image and of creating, copying from and removing a sandbox"},
};

constexpr const char* k_config_template = R"toml(# Needs a Modal account (`modal token new`) and uv, or the `modal` package
# for python3. Sandboxes start in /app: set sandbox_project_root = "/app" in
# [offload] when include_cwd copies the project there.
include_cwd = true
# dockerfile = "Dockerfile"
)toml";

} // namespace

const offload_factory& modal_factory() noexcept {
  static const offload_factory factory = {
      sizeof(offload_factory),
      OFFLOAD_KIND_PROVIDER,
      "modal",
      "Modal sandboxes, built and driven through the bundled modal_sandbox.py",
      static_cast<uint32_t>(std::size(k_options)),
      0,
      k_options,
      k_config_template,
      sdk::provider_table<ModalProvider>(),
      &sdk::create_instance<ModalProvider>,
  };
  return factory;
}

} // namespace offload::plugins
