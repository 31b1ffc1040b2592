// SPDX-License-Identifier: MIT
#include "node_id_matcher.hpp"
#include "pytest_framework.hpp"
#include "pytest_host.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using offload::plugins::junit_name_of;
using offload::plugins::NodeIdMatcher;
using offload::pytest_plugin::testing::make_framework;
using offload::pytest_plugin::testing::PytestHost;

namespace {

const std::vector<std::string> k_batch = {
    "tests/test_x.py::test_a",
    "tests/test_x.py::TestC::test_a[1]",
    "tests/test_x.py::TestC::test_a[a::b.py]",
    "tests/sub/test_y.py::test_a",
    "tests/test_x.py::test_p[say \"hi\"]",
};

} // namespace

TEST_SUITE_BEGIN("pytest_plugin");

TEST_CASE("junit_name_of names a node ID the way pytest's JUnit writer does") {
  const auto check = [](const std::string& id, const std::string& classname, const std::string& name) {
    const auto junit = junit_name_of(id);
    CHECK(junit.classname == classname);
    CHECK(junit.name == name);
  };
  check("tests/test_x.py::TestC::test_a[1]", "tests.test_x.TestC", "test_a[1]");
  check("tests/sub/test_y.py::test_b", "tests.sub.test_y", "test_b");
  check("test_top.py::test_c[a::b/c.py]", "test_top", "test_c[a::b/c.py]");
  check("tests/test_x.py::Outer::Inner::test_d", "tests.test_x.Outer.Inner", "test_d");
  check("doc/readme.txt::readme.txt", "doc.readme.txt", "readme.txt");
}

TEST_CASE("NodeIdMatcher takes a name that is a node ID of the batch as it is") {
  const NodeIdMatcher matcher(k_batch);
  for (const std::string& id : k_batch) {
    CHECK(matcher.match(id, "tests.whatever") == id);
  }
}

TEST_CASE("NodeIdMatcher falls back to pytest's own classname and name") {
  const NodeIdMatcher matcher(k_batch);
  CHECK(matcher.match("test_a", "tests.test_x") == "tests/test_x.py::test_a");
  CHECK(matcher.match("test_a", "tests.sub.test_y") == "tests/sub/test_y.py::test_a");
  CHECK(matcher.match("test_a[1]", "tests.test_x.TestC") == "tests/test_x.py::TestC::test_a[1]");
  CHECK(matcher.match("test_a[a::b.py]", "tests.test_x.TestC") == "tests/test_x.py::TestC::test_a[a::b.py]");
  // junit_prefix goes before the classname.
  CHECK(matcher.match("test_a", "ci.linux.tests.test_x") == "tests/test_x.py::test_a");
}

TEST_CASE("NodeIdMatcher matches nothing rather than guess") {
  const NodeIdMatcher matcher(k_batch);
  CHECK_FALSE(matcher.match("test_a", "test_x").has_value());       // a suffix, not a dotted component
  CHECK_FALSE(matcher.match("test_a", "other.test_x").has_value()); // the wrong module
  CHECK_FALSE(matcher.match("test_zzz", "tests.test_x").has_value());
  CHECK_FALSE(matcher.match("tests/test_x.py::test_gone", "tests.test_x").has_value());
  // Two IDs pytest would name alike.
  const NodeIdMatcher twins({"a/b.py::test_t", "a.b.py::test_t"});
  CHECK_FALSE(twins.match("test_t", "a.b").has_value());
}

TEST_CASE("pytest map_results answers one ID or null per case, in order") {
  PytestHost host;
  auto framework = make_framework(host);
  const nlohmann::json request = {
      {"tests", k_batch},
      {"cases",
       {{{"name", "tests/test_x.py::test_p[say \"hi\"]"}, {"classname", "tests.test_x"}},
        {{"name", "test_a[1]"}, {"classname", "tests.test_x.TestC"}},
        {{"name", "test_unknown"}, {"classname", "tests.test_x"}},
        {{"name", "tests/sub/test_y.py::test_a"}}}}};
  CHECK(nlohmann::json::parse(framework->map_results(request.dump())) ==
        nlohmann::json{"tests/test_x.py::test_p[say \"hi\"]", "tests/test_x.py::TestC::test_a[1]", nullptr,
                       "tests/sub/test_y.py::test_a"});
  CHECK_THROWS_WITH(framework->map_results(R"({"tests": []})"),
                    "malformed map_results request: \"cases\" must be an array");
}

TEST_SUITE_END();
