// SPDX-License-Identifier: MIT
#include "default_provider.hpp"
#include "modal_provider.hpp"
#include "../plugin_support/fake_host.hpp"
#include "../plugin_support/stdin_echo.hpp"

#include "plugin/host.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

using offload::plugin_support::testing::EnvOverride;
using offload::plugin_support::testing::ScratchDir;
namespace testing = offload::plugin_support::testing;
namespace fs = std::filesystem;

namespace {

fs::path source_root() {
  const char* root = std::getenv("OFFLOAD_SOURCE_ROOT");
  REQUIRE_MESSAGE(root != nullptr, "run through meson test (OFFLOAD_SOURCE_ROOT unset)");
  return root;
}

// modal_sandbox.py keeps its image cache in the current directory.
class CwdOverride {
public:
  explicit CwdOverride(const fs::path& dir) : m_old(fs::current_path()) { fs::current_path(dir); }
  ~CwdOverride() {
    std::error_code ignored;
    fs::current_path(m_old, ignored);
  }
  CwdOverride(const CwdOverride&) = delete;
  CwdOverride& operator=(const CwdOverride&) = delete;

private:
  fs::path m_old;
};

} // namespace

TEST_SUITE_BEGIN("remote_plugins");

TEST_CASE("default_provider::exec_stdin passes stdin through exec_command (local_sandbox.sh)") {
  ScratchDir dir;
  const EnvOverride bundled("OFFLOAD_BUNDLED_DIR", (source_root() / "bundled").string());
  const EnvOverride tmp("TMPDIR", dir.path().string());
  const nlohmann::json config = {{"create_command", "@local_sandbox.sh create"},
                                 {"exec_command", "@local_sandbox.sh exec {sandbox_id} {command}"},
                                 {"download_command", "@local_sandbox.sh download {sandbox_id} {paths}"},
                                 {"destroy_command", "@local_sandbox.sh destroy {sandbox_id}"},
                                 {"working_dir", dir.path().string()}};
  offload::plugins::DefaultProvider provider(offload::plugin::host_table("default"), config.dump());
  std::string info;
  auto sandbox = provider.create_sandbox(R"({"id": "s1"})", info, nullptr);
  testing::check_streams_until_eof(testing::exec_stdin_of(provider, *sandbox));
  testing::check_cancel_stops(testing::exec_stdin_of(provider, *sandbox));
  provider.destroy_sandbox(*sandbox);
}

TEST_CASE("modal_provider::exec_stdin reaches the sandbox process through modal_sandbox.py") {
  ScratchDir dir;
  const EnvOverride bundled("OFFLOAD_BUNDLED_DIR", (source_root() / "bundled").string());
  const EnvOverride path("PYTHONPATH", (source_root() / "tests" / "fake_modal").string());
  const EnvOverride state("FAKE_MODAL_STATE", (dir.path() / "fake-modal").string());
  const EnvOverride tmp("TMPDIR", dir.path().string());
  const CwdOverride cwd(dir.path());
  offload::plugins::ModalProvider provider(offload::plugin::host_table("modal"), R"({"python": "python3"})");
  const std::optional<std::string> image = provider.prepare(R"({"no_cache": true})", nullptr);
  REQUIRE(image);
  std::string info;
  auto sandbox = provider.create_sandbox(nlohmann::json{{"id", "s1"}, {"image_id", *image}}.dump(), info, nullptr);
  testing::check_streams_until_eof(testing::exec_stdin_of(provider, *sandbox));
  testing::check_cancel_stops(testing::exec_stdin_of(provider, *sandbox));
  provider.destroy_sandbox(*sandbox);
}

TEST_SUITE_END();
