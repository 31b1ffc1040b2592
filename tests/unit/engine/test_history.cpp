// SPDX-License-Identifier: MIT
#include "engine/history.hpp"
#include "report/junit.hpp"

#include <doctest/doctest.h>

#include "../temp_dir.hpp"

#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace offload;
using offload::testing::TempDir;

namespace {

} // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::History keeps recent durations and estimates with their median") {
  TempDir dir;
  auto h = engine::History::load(dir.path(), dir.path() / "junit.xml");
  CHECK(h.source() == "nothing");
  CHECK_FALSE(h.estimate("a"));
  for (double d : {1.0, 9.0, 2.0}) {
    h.add("a", d);
  }
  CHECK(*h.estimate("a") == doctest::Approx(2.0));
  for (int i = 0; i < 20; ++i) {
    h.add("b", 5.0);
  }
  h.add("b", 0.5);
  h.set_batch_overhead(0.25);
  REQUIRE(h.save(dir.path()).ok());

  auto again = engine::History::load(dir.path(), dir.path() / "junit.xml");
  CHECK(again.source() == "history");
  CHECK(*again.estimate("a") == doctest::Approx(2.0));
  CHECK(*again.estimate("b") == doctest::Approx(5.0));
  CHECK(*again.batch_overhead() == doctest::Approx(0.25));
  std::ifstream in(dir.path() / engine::History::k_file_name);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("\"b\"") != std::string::npos);
}

TEST_CASE("engine::History starts from the previous junit.xml and survives a damaged file") {
  TempDir dir;
  engine::TestRecord r;
  r.test.id = "t1";
  r.verdict = engine::Verdict::Passed;
  engine::Attempt a;
  a.result = engine::AttemptResult::Passed;
  a.duration_secs = 3.5;
  r.attempts.push_back(a);
  REQUIRE(report::write_junit(dir.path() / "junit.xml", {r}, {"all"}, {}, {}).ok());
  auto h = engine::History::load(dir.path(), dir.path() / "junit.xml");
  CHECK(h.source() == "junit.xml");
  CHECK(*h.estimate("t1") == doctest::Approx(3.5));

  std::ofstream(dir.path() / engine::History::k_file_name) << "{not json";
  auto damaged = engine::History::load(dir.path(), dir.path() / "junit.xml");
  CHECK(damaged.source() == "junit.xml");
}

TEST_SUITE_END();
