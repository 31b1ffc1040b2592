// SPDX-License-Identifier: MIT
#include "local_provider.hpp"
#include "fake_host.hpp"
#include "stdin_echo.hpp"

#include "plugin/host.hpp"

#include <doctest/doctest.h>

using offload::plugins::LocalProvider;
using offload::plugin_support::testing::ScratchDir;
namespace testing = offload::plugin_support::testing;

TEST_SUITE_BEGIN("plugin_support");

TEST_CASE("local_provider::exec_stdin streams stdin line by line, ends at EOF, stops on cancel") {
  ScratchDir dir;
  // The real host: its process_run is what takes "stdin_fd".
  LocalProvider provider(offload::plugin::host_table("local"),
                         nlohmann::json{{"working_dir", dir.path().string()}}.dump());
  std::string info;
  auto sandbox = provider.create_sandbox(R"({"id": "s1"})", info, nullptr);
  testing::check_streams_until_eof(testing::exec_stdin_of(provider, *sandbox));
  testing::check_cancel_stops(testing::exec_stdin_of(provider, *sandbox));
}

TEST_SUITE_END();
