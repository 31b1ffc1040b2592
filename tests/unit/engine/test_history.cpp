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
  TestRecord r;
  r.test.id = "t1";
  r.verdict = Verdict::Passed;
  Attempt a;
  a.result = AttemptResult::Passed;
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

TEST_CASE("engine::History keeps the last run's test list for the same discovery settings only") {
  TempDir dir;
  std::vector<config::Group> groups(2);
  groups[0].name = "unit";
  groups[1].name = "slow";
  std::vector<TestRecord> tests(2);
  tests[0].test = {"a::x", 1, std::string("a.py")};
  tests[1].test = {"b y", 0, std::nullopt};
  {
    auto h = engine::History::load(dir.path(), dir.path() / "junit.xml");
    CHECK(h.listing("f1", groups).empty());
    h.set_listing("f1", tests, groups);
    REQUIRE(h.save(dir.path()).ok());
  }
  auto h = engine::History::load(dir.path(), dir.path() / "junit.xml");
  const auto same = h.listing("f1", groups);
  REQUIRE(same.size() == 2);
  CHECK(same[0].id == "a::x");
  CHECK(same[0].group == 1);
  CHECK(same[0].file == std::optional<std::string>("a.py"));
  CHECK(same[1].id == "b y");
  CHECK(same[1].group == 0);
  CHECK_FALSE(same[1].file);
  // Groups are matched by name, not position.
  std::vector<config::Group> reordered{groups[1], groups[0]};
  CHECK(h.listing("f1", reordered)[0].group == 0);
  CHECK(h.listing("f2", groups).empty());
  CHECK(h.listing("f1", {groups[0]}).empty()); // group "slow" is gone
}

TEST_SUITE_END();
