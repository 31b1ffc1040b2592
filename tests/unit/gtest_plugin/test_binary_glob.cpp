// SPDX-License-Identifier: MIT
#include "binary_glob.hpp"
#include "../plugin_support/fake_host.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::write_file;
using offload::plugins::expand_binaries;
namespace fs = std::filesystem;

namespace {

void make_file(const fs::path& path, bool executable) {
  fs::create_directories(path.parent_path());
  write_file(path, "#!/bin/sh\n");
  fs::permissions(path, executable ? fs::perms::owner_all : fs::perms::owner_read | fs::perms::owner_write);
}

offload::sdk::Failure glob_failure(const std::vector<std::string>& patterns, const std::string& dir) {
  return offload::plugin_support::testing::failure_of([&] { expand_binaries(patterns, dir); });
}

} // namespace

TEST_SUITE_BEGIN("gtest_plugin");

TEST_CASE("gtest_plugin::expand_binaries matches executables relative to working_dir") {
  ScratchDir scratch;
  const fs::path dir = scratch.path() / "odd [dir] *";
  make_file(dir / "build" / "a_test", true);
  make_file(dir / "build" / "b_test", true);
  make_file(dir / "build" / "notes_test", false);
  fs::create_directories(dir / "build" / "dir_test");
  make_file(dir / "top_test", true);

  CHECK(expand_binaries({"build/*_test"}, dir.string()) == std::vector<std::string>{"build/a_test", "build/b_test"});
  CHECK(expand_binaries({"build/b_test", "build/*_test", "./build/a_test"}, dir.string()) ==
        std::vector<std::string>{"build/b_test", "build/a_test"});
  CHECK(expand_binaries({"top_test"}, dir.string()) == std::vector<std::string>{"./top_test"});
  CHECK(expand_binaries({"top_test"}, dir.string() + "/") == std::vector<std::string>{"./top_test"});
  const fs::path plain = scratch.path() / "plain" / "c_test";
  make_file(plain, true);
  CHECK(expand_binaries({plain.string()}, "/nonexistent") == std::vector<std::string>{plain.string()});
  CHECK(expand_binaries({(scratch.path() / "p*" / "c_?est").string()}, "") ==
        std::vector<std::string>{plain.string()});
}

TEST_CASE("gtest_plugin::expand_binaries names the pattern that matches no executable") {
  ScratchDir scratch;
  make_file(scratch.path() / "build" / "notes_test", false);
  const auto failure = glob_failure({"build/*_test"}, scratch.path().string());
  CHECK(failure.code() == OFFLOAD_ENOENT);
  CHECK(failure.key() == "binaries");
  CHECK(std::string(failure.what()) ==
        "binaries: 'build/*_test' matches no executable file (looked in " + scratch.path().string() + ")");
  CHECK(std::string(glob_failure({"missing"}, scratch.path().string()).what()).find("'missing' matches no") !=
        std::string::npos);
}

TEST_SUITE_END();
