// SPDX-License-Identifier: MIT
// The host reads every line a persistent worker prints: a test's own output
// can be anything, and a broken worker can print any protocol line. Each line
// is the worker's output, one message or one error; a message says what the
// line said; and any ID it carries goes back to a worker intact in a request.
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
  check(parsed.has_value() == protocol_line);
  if (!parsed) {
    return 0;
  }
  if (!*parsed) {
    check(!parsed->error().message.empty());
    return 0;
  }
  check_message(parsed->value(), nlohmann::json::parse(line.substr(worker::k_prefix.size())));
  return 0;
}
