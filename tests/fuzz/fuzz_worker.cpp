// SPDX-License-Identifier: MIT
// The host reads every line a persistent worker prints: a test's own output
// can be anything, and a broken worker can print any protocol line. Each line
// is the worker's output, one message, one error, or an event this host does
// not know (skipped, as later protocol additions must be); a message says
// what the line said; and any ID or file it carries goes back to a worker
// intact in a request.
#include "engine/worker_protocol.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace worker = offload::engine::worker;

void check(bool holds) {
  if (!holds) {
    __builtin_trap();
  }
}

void check_request_round_trip(const std::vector<std::string>& ids) {
  const std::string request = worker::run_request(ids);
  check(!request.empty() && request.back() == '\n' && request.find('\n') == request.size() - 1);
  const auto back = nlohmann::json::parse(request);
  check(back.at("op") == "run" && back.at("tests").get<std::vector<std::string>>() == ids);
}

void check_collect_round_trip(const std::string& file) {
  const auto back = nlohmann::json::parse(worker::collect_request({file}));
  check(back.at("op") == "collect" && back.at("files") == nlohmann::json::array({file}));
}

/// A protocol line the parser skipped is a JSON object whose event is none
/// of those it knows.
void check_skipped(std::string_view json_text) {
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  check(j.is_object());
  const auto event = j.find("event");
  if (event == j.end() || !event->is_string()) {
    return;
  }
  for (const char* known : {"ready", "start", "result", "collected"}) {
    check(*event != known);
  }
}

void check_message(const worker::Message& message, const nlohmann::json& sent) {
  if (const auto* ready = std::get_if<worker::Ready>(&message)) {
    check(ready->protocol == 0 || sent.at("protocol") == ready->protocol);
    check_request_round_trip(ready->collected);
    return;
  }
  if (const auto* started = std::get_if<worker::Started>(&message)) {
    check(sent.at("event") == "start" && sent.at("id") == started->id);
    check_request_round_trip({started->id});
    return;
  }
  if (const auto* collected = std::get_if<worker::Collected>(&message)) {
    check(sent.at("event") == "collected" && sent.at("file") == collected->file);
    check(sent.at("tests").size() == collected->tests.size());
    for (std::size_t i = 0; i < collected->tests.size(); ++i) {
      check(sent.at("tests").at(i).at("id") == collected->tests[i].id);
      check_request_round_trip({collected->tests[i].id});
    }
    check_collect_round_trip(collected->file);
    return;
  }
  const auto& finished = std::get<worker::Finished>(message);
  check(sent.at("event") == "result" && sent.at("id") == finished.id);
  check(finished.found == (sent.at("outcome") != "not_found"));
  check(std::isfinite(finished.attempt.duration_secs) && finished.attempt.duration_secs >= 0.0);
  check_request_round_trip({finished.id});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto parsed = worker::parse_line(line);
  const bool protocol_line = line.substr(0, worker::k_prefix.size()) == worker::k_prefix;
  check(protocol_line || !parsed.has_value());
  if (!parsed) {
    if (protocol_line) {
      check_skipped(line.substr(worker::k_prefix.size()));
    }
    return 0;
  }
  if (!*parsed) {
    check(!parsed->error().message.empty());
    return 0;
  }
  check_message(parsed->value(), nlohmann::json::parse(line.substr(worker::k_prefix.size())));
  return 0;
}
