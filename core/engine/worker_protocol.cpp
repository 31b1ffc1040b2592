// SPDX-License-Identifier: MIT
#include "engine/worker_protocol.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

namespace offload::engine::worker {
namespace {

std::string text(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  const auto it = j.find(key);
  if (it != j.end() && it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

/// 0 unless the member is an integer an int holds: get<int>() wraps, and a
/// worker's 4294967297 would pass for version 1.
int int_member(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) {
    return 0;
  }
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    return v <= static_cast<std::uint64_t>(std::numeric_limits<int>::max()) ? static_cast<int>(v) : 0;
  }
  if (it->is_number_integer()) {
    const auto v = it->get<std::int64_t>();
    return v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max() ? static_cast<int>(v) : 0;
  }
  return 0;
}

Result<Message> finished(const nlohmann::json& j, std::string id) {
  Finished f;
  f.id = std::move(id);
  const std::string outcome = text(j, "outcome");
  if (outcome == "passed") {
    f.attempt.result = AttemptResult::Passed;
  } else if (outcome == "failed" || outcome == "error") {
    f.attempt.result = AttemptResult::Failed;
    f.attempt.error = outcome == "error";
  } else if (outcome == "skipped") {
    f.attempt.result = AttemptResult::Skipped;
  } else if (outcome == "not_found") {
    f.found = false;
  } else {
    return make_error("worker result for '", f.id, "': outcome '", outcome,
                      "' is not passed, failed, error, skipped or not_found");
  }
  const auto duration = j.find("duration");
  if (duration != j.end() && duration->is_number() && duration->get<double>() >= 0.0) {
    f.attempt.duration_secs = duration->get<double>();
  }
  f.attempt.message = text(j, "message");
  f.attempt.details = text(j, "details");
  f.attempt.system_out = text(j, "stdout");
  f.attempt.system_err = text(j, "stderr");
  if (std::string log = text(j, "log"); !log.empty()) {
    f.attempt.system_err += (f.attempt.system_err.empty() ? "" : "\n") + log;
  }
  return Message{std::move(f)};
}

Result<Message> collected(const nlohmann::json& j) {
  Collected c;
  c.file = text(j, "file");
  if (c.file.empty()) {
    return make_error("worker 'collected' event without a string \"file\"");
  }
  c.error = text(j, "error");
  const auto tests = j.find("tests");
  if (tests == j.end() || !tests->is_array()) {
    return make_error("worker 'collected' event for '", c.file, "' without a \"tests\" list");
  }
  for (const auto& t : *tests) {
    const std::string id = t.is_object() ? text(t, "id") : std::string();
    if (id.empty()) {
      return make_error("worker 'collected' event for '", c.file, "' lists a test without a string \"id\"");
    }
    TestCase test{id, 0, c.file, text(t, "classname"), text(t, "name")};
    if (test.name.empty()) {
      test.classname.clear(); // both or neither, as discovery's records
    }
    c.tests.push_back(std::move(test));
  }
  return Message{std::move(c)};
}

/// One request line: `{"op": op, member: names}` and its newline.
std::string request(const char* op, const char* member, const std::vector<std::string>& names) {
  return nlohmann::json{{"op", op}, {member, names}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict) +
         "\n";
}

} // namespace

std::optional<Result<Message>> parse_line(std::string_view line) {
  if (line.substr(0, k_prefix.size()) != k_prefix) {
    return std::nullopt;
  }
  const auto j = nlohmann::json::parse(line.substr(k_prefix.size()), nullptr, false);
  if (!j.is_object()) {
    return Result<Message>(make_error("worker protocol line is not a JSON object: ",
                                      std::string(line.substr(0, 200))));
  }
  const std::string event = text(j, "event");
  if (event == "ready") {
    Ready r;
    r.protocol = int_member(j, "protocol");
    r.collected = strings(j, "collected");
    r.errors = strings(j, "errors");
    return Result<Message>(Message{std::move(r)});
  }
  if (event == "collected") {
    return collected(j);
  }
  if (event != "start" && event != "result") {
    return std::nullopt;
  }
  const auto id = j.find("id");
  if (id == j.end() || !id->is_string()) {
    return Result<Message>(make_error("worker '", event, "' event without a string \"id\""));
  }
  if (event == "start") {
    return Result<Message>(Message{Started{id->get<std::string>()}});
  }
  return finished(j, id->get<std::string>());
}

std::string run_request(const std::vector<std::string>& ids) {
  return request("run", "tests", ids);
}

std::string collect_request(const std::vector<std::string>& files) {
  return request("collect", "files", files);
}

std::string stop_request() { return "{\"op\":\"stop\"}\n"; }

} // namespace offload::engine::worker
