// SPDX-License-Identifier: MIT
#include "engine/worker_protocol.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace offload;
namespace worker = offload::engine::worker;

namespace {

worker::Message message(std::string_view line) {
  const auto parsed = worker::parse_line(line);
  REQUIRE(parsed.has_value());
  REQUIRE_MESSAGE(parsed->ok(), parsed->error().message);
  return parsed->value();
}

std::string error_of(std::string_view line) {
  const auto parsed = worker::parse_line(line);
  REQUIRE(parsed.has_value());
  REQUIRE_FALSE(parsed->ok());
  return parsed->error().message;
}

} // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::worker::parse_line leaves the worker's own output alone") {
  CHECK_FALSE(worker::parse_line("collected 2 items").has_value());
  CHECK_FALSE(worker::parse_line("").has_value());
  CHECK_FALSE(worker::parse_line("@offload").has_value());
  CHECK_FALSE(worker::parse_line(R"(@offload{"event": "start", "id": "a"})").has_value());
  CHECK_FALSE(worker::parse_line(R"( @offload {"event": "start", "id": "a"})").has_value());
}

TEST_CASE("engine::worker::parse_line reads ready, start and each outcome of result") {
  const auto ready = std::get<worker::Ready>(
      message(R"(@offload {"event": "ready", "protocol": 1, "collected": ["a", 3, "b"], "errors": ["e"]})"));
  CHECK(ready.protocol == 1);
  CHECK(ready.collected == std::vector<std::string>{"a", "b"});
  CHECK(ready.errors == std::vector<std::string>{"e"});

  CHECK(std::get<worker::Started>(message(R"(@offload {"event": "start", "id": "t [1]"})")).id == "t [1]");

  const auto passed = std::get<worker::Finished>(message(
      R"(@offload {"event": "result", "id": "t", "outcome": "passed", "duration": 0.25, "stdout": "o", "stderr": "e", "log": "l"})"));
  CHECK(passed.id == "t");
  CHECK(passed.found);
  CHECK(passed.attempt.result == AttemptResult::Passed);
  CHECK(passed.attempt.duration_secs == doctest::Approx(0.25));
  CHECK(passed.attempt.system_out == "o");
  CHECK(passed.attempt.system_err == "e\nl");

  const auto error = std::get<worker::Finished>(
      message(R"(@offload {"event": "result", "id": "t", "outcome": "error", "duration": -1, "message": "m"})"));
  CHECK(error.attempt.result == AttemptResult::Failed);
  CHECK(error.attempt.error);
  CHECK(error.attempt.message == "m");
  CHECK(error.attempt.duration_secs == 0.0);

  const auto failed =
      std::get<worker::Finished>(message(R"(@offload {"event": "result", "id": "t", "outcome": "failed"})"));
  CHECK(failed.attempt.result == AttemptResult::Failed);
  CHECK_FALSE(failed.attempt.error);
  CHECK(std::get<worker::Finished>(message(R"(@offload {"event": "result", "id": "t", "outcome": "skipped"})"))
            .attempt.result == AttemptResult::Skipped);
  CHECK_FALSE(
      std::get<worker::Finished>(message(R"(@offload {"event": "result", "id": "t", "outcome": "not_found"})")).found);
}

TEST_CASE("engine::worker::parse_line takes a protocol version only as the integer it is") {
  // 4294967297 is 2^32 + 1: read as an int it wrapped to 1, the version this host speaks.
  for (const char* version : {"4294967297", "18446744073709551617", "-4294967295", "1.0", "\"1\""}) {
    CAPTURE(version);
    const std::string line = std::string(R"(@offload {"event": "ready", "protocol": )") + version + "}";
    const auto parsed = worker::parse_line(line);
    REQUIRE(parsed.has_value());
    if (parsed->ok()) {
      CHECK(std::get<worker::Ready>(parsed->value()).protocol != worker::k_protocol);
    }
  }
  CHECK(std::get<worker::Ready>(message(R"(@offload {"event": "ready", "protocol": 2})")).protocol == 2);
  CHECK(std::get<worker::Ready>(message(R"(@offload {"event": "ready", "protocol": -3})")).protocol == -3);
}

TEST_CASE("engine::worker::parse_line names what is wrong with a malformed protocol line") {
  CHECK(error_of(R"(@offload {"event": "start")").rfind("worker protocol line is not a JSON object: ", 0) == 0);
  CHECK(error_of("@offload [1]").rfind("worker protocol line is not a JSON object: ", 0) == 0);
  CHECK(error_of(R"(@offload {"event": "start", "id": 7})") == R"(worker 'start' event without a string "id")");
  CHECK(error_of(R"(@offload {"event": "collected", "tests": []})") ==
        R"(worker 'collected' event without a string "file")");
  CHECK(error_of(R"(@offload {"event": "collected", "file": "a.py"})") ==
        R"(worker 'collected' event for 'a.py' without a "tests" list)");
  CHECK(error_of(R"(@offload {"event": "collected", "file": "a.py", "tests": [{"name": "x"}]})") ==
        R"(worker 'collected' event for 'a.py' lists a test without a string "id")");
  CHECK(error_of(R"(@offload {"event": "result", "id": "t", "outcome": "ok"})") ==
        "worker result for 't': outcome 'ok' is not passed, failed, error, skipped or not_found");
}

TEST_CASE("engine::worker::parse_line leaves an event of a later version to the log") {
  CHECK_FALSE(worker::parse_line(R"(@offload {"event": "bye", "id": "t"})").has_value());
}

TEST_CASE("engine::worker::parse_line reads a collected file's tests and error") {
  const auto c = std::get<worker::Collected>(message(
      R"(@offload {"event": "collected", "file": "a.py", "tests": [{"id": "a.py::t", "classname": "a", "name": "t"}, {"id": "a.py::u", "classname": "a"}]})"));
  CHECK(c.file == "a.py");
  REQUIRE(c.tests.size() == 2);
  CHECK(c.tests[0].id == "a.py::t");
  CHECK(c.tests[0].classname == "a");
  CHECK(c.tests[0].name == "t");
  CHECK(c.tests[0].file == "a.py");
  CHECK(c.tests[1].classname.empty()); // a classname without its name is no place in a tree
  CHECK(c.error.empty());
  const auto bad = std::get<worker::Collected>(
      message(R"(@offload {"event": "collected", "file": "b.py", "tests": [], "error": "ERROR collecting b.py"})"));
  CHECK(bad.error == "ERROR collecting b.py");
}

TEST_CASE("engine::worker::collect_request is one JSON line") {
  CHECK(worker::collect_request({"a b.py", "c\"d.py"}) == "{\"files\":[\"a b.py\",\"c\\\"d.py\"],\"op\":\"collect\"}\n");
}

TEST_CASE("engine::worker::run_request is one JSON line that carries any ID intact") {
  const std::vector<std::string> ids = {"a b", "q\"uote", "new\nline", "t\u00e9st", ""};
  const std::string request = worker::run_request(ids);
  REQUIRE(request.back() == '\n');
  CHECK(request.find('\n') == request.size() - 1);
  const auto j = nlohmann::json::parse(request);
  CHECK(j.at("op") == "run");
  CHECK(j.at("tests").get<std::vector<std::string>>() == ids);
  CHECK(nlohmann::json::parse(worker::stop_request()) == nlohmann::json{{"op", "stop"}});
}

TEST_SUITE_END();
