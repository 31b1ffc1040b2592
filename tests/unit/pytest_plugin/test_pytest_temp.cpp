// SPDX-License-Identifier: MIT
#include "batch_script.hpp"
#include "pytest_framework.hpp"
#include "pytest_host.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <string>

using offload::plugin_support::testing::read_file;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::sh_status;
using offload::plugin_support::testing::write_file;
using offload::pytest_plugin::testing::make_framework;
using offload::pytest_plugin::testing::PytestHost;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("pytest_plugin");

// Someone who can write to the scratch directory plants a pytest.py where
// the plugin directory goes, and a symlink where the ID file goes.
TEST_CASE("pytest batch script never imports or writes through what someone else put in the scratch dir") {
  PytestHost host;
  ScratchDir dir;
  const std::string result = (dir.path() / "r.xml").string();
  const fs::path planted = offload::plugins::plugin_dir_for(result);
  const fs::path canary = dir.path() / "canary";
  const fs::path victim = dir.path() / "victim";
  fs::create_directories(planted);
  fs::permissions(planted, fs::perms::all);
  write_file(planted / "pytest.py", "open('" + canary.string() + "', 'w').write('imported')\n");
  write_file(victim, "keep me");
  fs::create_symlink(victim, offload::plugins::ids_file_for(result));

  auto framework = make_framework(host, {{"python", "/usr/bin/python3"}});
  const nlohmann::json request = {{"tests", {"t.py::a"}}, {"result_file", result}};
  const nlohmann::json command = nlohmann::json::parse(framework->build_command(request.dump()));
  sh_status("cd '" + dir.path().string() + "' && " + command.at("shell").get<std::string>() + " >/dev/null 2>&1");

  CHECK_FALSE(fs::exists(canary));
  CHECK(read_file(victim) == "keep me");
  CHECK_FALSE(fs::is_symlink(offload::plugins::ids_file_for(result)));
  CHECK(read_file(offload::plugins::ids_file_for(result)) == "t.py::a\n");
  CHECK_FALSE(fs::exists(planted / "pytest.py"));
  struct stat st {};
  REQUIRE(::lstat(planted.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_SUITE_END();
