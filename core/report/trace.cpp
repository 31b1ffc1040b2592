// SPDX-License-Identifier: MIT
#include "util/atomic_file.hpp"
#include "report/timeline.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace offload::report {

namespace {

using nlohmann::json;

/// Chrome trace timestamps are microseconds.
std::int64_t micros(double secs) {
  return std::isfinite(secs) ? static_cast<std::int64_t>(std::llround(secs * 1e6)) : 0;
}

json process_name(std::size_t pid, const std::string& name) {
  return {{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"tid", 0},
          {"args", {{"name", name}}}};
}

json complete_event(const std::string& name, const char* category, double start, double end,
                    std::size_t pid) {
  return {{"name", name},
          {"cat", category},
          {"ph", "X"},
          {"ts", micros(start)},
          {"dur", std::max<std::int64_t>(0, micros(end) - micros(start))},
          {"pid", pid},
          {"tid", 0}};
}

/// The offload track is pid 0; sandbox i is pid i+1.
std::size_t phase_pid(const PhaseSpan& phase) {
  return phase.track < 0 ? 0 : static_cast<std::size_t>(phase.track) + 1;
}

} // namespace

Status write_trace(const std::filesystem::path& path, std::size_t sandbox_count,
                   const std::vector<BatchSpan>& batches, const std::vector<PhaseSpan>& phases) {
  std::size_t tracks = sandbox_count;
  for (const BatchSpan& batch : batches) {
    tracks = std::max(tracks, batch.sandbox + 1);
  }
  for (const PhaseSpan& phase : phases) {
    tracks = std::max(tracks, phase_pid(phase));
  }

  std::vector<json> events;
  events.reserve(1 + tracks + batches.size() + phases.size());
  events.push_back(process_name(0, "offload"));
  for (std::size_t i = 0; i < tracks; ++i) {
    events.push_back(process_name(i + 1, "sandbox " + std::to_string(i)));
  }
  for (const BatchSpan& batch : batches) {
    json event = complete_event("batch " + std::to_string(batch.batch), "batch", batch.start_secs,
                                batch.end_secs, batch.sandbox + 1);
    event["args"] = {{"tests", batch.tests}, {"outcome", to_string(batch.outcome)}};
    events.push_back(std::move(event));
  }
  for (const PhaseSpan& phase : phases) {
    events.push_back(
        complete_event(phase.name, "phase", phase.start_secs, phase.end_secs, phase_pid(phase)));
  }

  // One event per line keeps the file readable and diffable.
  std::string text = "[\n";
  for (std::size_t i = 0; i < events.size(); ++i) {
    text += events[i].dump(-1, ' ', false, json::error_handler_t::replace);
    text += i + 1 < events.size() ? ",\n" : "\n";
  }
  text += "]\n";
  return util::write_file_atomically(path, text);
}

} // namespace offload::report
