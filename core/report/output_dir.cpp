// SPDX-License-Identifier: MIT
#include "report/output_dir.hpp"

namespace offload::report {

Status prepare_output_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const char* stale : {"logs", "results", "trace.json", "timeline.svg", "run-stats.json"}) {
    std::filesystem::remove_all(dir / stale, ec);
    if (ec) {
      return make_error("cannot clear '", (dir / stale).string(), "': ", ec.message());
    }
  }
  for (const char* sub : {"logs", "results"}) {
    std::filesystem::create_directories(dir / sub, ec);
    if (ec) {
      return make_error("cannot create '", (dir / sub).string(), "': ", ec.message());
    }
  }
  return {};
}

} // namespace offload::report
