// SPDX-License-Identifier: MIT
#include "loaded.hpp"

#include <doctest/doctest.h>

#include "../temp_dir.hpp"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;
using namespace offload;
using offload::testing::TempDir;
using namespace offload::plugin::testing;

namespace {

std::string rejection(const plugin::Registry& reg, const std::string& file) {
  for (const auto& r : reg.rejected()) {
    if (r.path.filename() == file) {
      return r.reason;
    }
  }
  return "(not rejected)";
}

} // namespace

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::Registry loads an SDK-only C plugin and refuses broken ones") {
  const auto reg = fixture_plugins();

  const auto* sdkc = reg->find(OFFLOAD_KIND_FRAMEWORK, "sdk-c");
  REQUIRE(sdkc != nullptr);
  CHECK(sdkc->plugin == "sdkc");
  CHECK(sdkc->plugin_version == "1.0.0");

  CHECK(rejection(*reg, "offload-wrongmajor.so").find("major version must match") != std::string::npos);
  CHECK(rejection(*reg, "offload-wrongmajor.so").find("ABI 2.0") != std::string::npos);
  CHECK(rejection(*reg, "offload-misnamed.so").find("does not match the file name") != std::string::npos);
  CHECK(rejection(*reg, "offload-noentry.so").find("no offload_plugin_entry symbol") != std::string::npos);
  CHECK(rejection(*reg, "offload-undefined.so").find("undefined symbol") != std::string::npos);
  // sdkc, frozen10 and grown load; the rest are refused.
  CHECK(reg->plugins().size() == 3);
}

TEST_CASE("plugin::Registry loads a plugin built against the frozen 1.0 header") {
  const auto reg = fixture_plugins();
  CHECK(rejection(*reg, "offload-frozen10.so") == "(not rejected)");
  REQUIRE(reg->find(OFFLOAD_KIND_FRAMEWORK, "frozen-c") != nullptr);
}

TEST_CASE("plugin::Registry loads a newer minor with larger structs, reading only what it knows") {
  const auto reg = fixture_plugins();
  CHECK(rejection(*reg, "offload-grown.so") == "(not rejected)");
  const auto* grown = reg->find(OFFLOAD_KIND_FRAMEWORK, "grown-c");
  REQUIRE(grown != nullptr);
  // Options 24 bytes larger than the host's: read at the plugin's stride.
  REQUIRE(grown->raw->option_count == 2);
  CHECK(std::string(grown->raw->options[0].name) == "greeting");
  CHECK(std::string(grown->raw->options[1].name) == "repeat");
  CHECK(grown->raw->options[1].type == OFFLOAD_OPTION_INTEGER);
  auto tests = framework(*reg, "grown-c")->discover("all", "", process::CancelToken());
  REQUIRE(tests.ok());
  CHECK(tests->size() == 3);
}

TEST_CASE("plugin::Registry refuses a newer minor only when the plugin needs a newer host") {
  const auto reg = fixture_plugins();
  const std::string needs = rejection(*reg, "offload-needsnewer.so");
  CHECK(needs.find("needs a host of plugin ABI 1.9 or newer") != std::string::npos);
  CHECK(needs.find("this offload speaks ABI 1.") != std::string::npos);
  const std::string refuses = rejection(*reg, "offload-refuses.so");
  CHECK(refuses.find("refused this host") != std::string::npos);
  CHECK(refuses.find("needs host ABI 1.9 for exec_stdin") != std::string::npos);
}

TEST_CASE("plugin::Registry keeps the first plugin of a type and reports the shadowed one") {
  TempDir a, b;
  const auto sdkc = build_root() / "tests" / "plugins" / "offload-sdkc.so";
  fs::copy_file(sdkc, a.path() / "offload-sdkc.so");
  fs::create_directories(b.path() / "x");
  fs::copy_file(sdkc, b.path() / "x" / "offload-sdkc.so");
  const auto reg = plugin::Registry::scan({a.path(), b.path() / "x"});
  REQUIRE(reg->find(OFFLOAD_KIND_FRAMEWORK, "sdk-c") != nullptr);
  CHECK(reg->find(OFFLOAD_KIND_FRAMEWORK, "sdk-c")->path == a.path() / "offload-sdkc.so");
  REQUIRE(reg->shadowed().size() == 1);
  CHECK(reg->shadowed()[0].path == b.path() / "x" / "offload-sdkc.so");
}

TEST_CASE("plugin::Registry ignores files that are not named offload-*.so") {
  TempDir dir;
  fs::copy_file(build_root() / "tests" / "plugins" / "offload-sdkc.so", dir.path() / "libsdkc.so");
  const auto reg = plugin::Registry::scan({dir.path()});
  CHECK(reg->plugins().empty());
  CHECK(reg->rejected().empty());
}

TEST_CASE("plugin::search_path puts --plugin-dir first and honours the environment") {
  ::setenv("OFFLOAD_PLUGIN_PATH", "/extra/one:/extra/two", 1);
  ::setenv("OFFLOAD_PLUGIN_SYSTEM_PATH", "/system", 1);
  const auto dirs = plugin::search_path({"/cli"});
  ::unsetenv("OFFLOAD_PLUGIN_PATH");
  REQUIRE(dirs.size() == 4);
  CHECK(dirs[0] == "/cli");
  CHECK(dirs[1] == "/extra/one");
  CHECK(dirs[2] == "/extra/two");
  CHECK(dirs[3] == "/system");
  ::setenv("OFFLOAD_PLUGIN_SYSTEM_PATH", (build_root() / "plugins").c_str(), 1);
}

TEST_CASE("plugin::Framework drives the C plugin through the ABI") {
  const auto reg = fixture_plugins();
  const auto fw_ptr = framework(*reg, "sdk-c");
  const plugin::Framework& fw = *fw_ptr;
  CHECK(fw.has_result_files());
  auto tests = fw.discover("all", "", process::CancelToken());
  REQUIRE(tests.ok());
  REQUIRE(tests->size() == 3);
  CHECK((*tests)[1].id == "c_beta");
  auto cmd = fw.build_command({"c_alpha"}, "/tmp/r.xml", false);
  REQUIRE(cmd.ok());
  CHECK(cmd->result_file == "/tmp/r.xml");
  CHECK(cmd->spec.contains("shell"));
  auto mapped = fw.map_results({"c_alpha"}, {{"c_alpha", ""}, {"c_beta", ""}});
  REQUIRE(mapped.ok());
  REQUIRE(mapped->size() == 2);
  CHECK((*mapped)[0] == "c_alpha");
}

TEST_SUITE_END();
