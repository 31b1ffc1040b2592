// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace offload::plugins::ssh {

/// What a local ssh or rsync process did, with its output kept.
struct Ran {
  int32_t rc = OFFLOAD_OK; ///< process_run's return code
  int32_t status = -1;     ///< exit status when rc is OFFLOAD_OK
  std::vector<std::string> out;
  std::vector<std::string> err;

  bool ok() const noexcept { return rc == OFFLOAD_OK && status == 0; }
  /// The last non-blank stderr line (ssh's reason), else a description of how it ended.
  std::string reason() const;
};

/// Runs `argv` through host->process_run with its output collected; never
/// throws for the process's own failure and never touches the caller's
/// error slot, so a clean-up step cannot hide the error being reported.
Ran run_collect(const offload_host_v1* host, const std::vector<std::string>& argv, int64_t timeout_ms,
                const offload_cancel* cancel);

/// A sink that passes every line on to `downstream` and remembers the last
/// stderr line, which names ssh's reason when the connection fails.
class TeeSink {
public:
  explicit TeeSink(const offload_sink* downstream);
  TeeSink(const TeeSink&) = delete;
  TeeSink& operator=(const TeeSink&) = delete;

  const offload_sink* sink() const noexcept { return &m_sink; }
  const std::string& last_error_line() const noexcept { return m_last_err; }

private:
  static int32_t write(void* self, uint32_t channel, const char* bytes, size_t len);

  offload_sink m_sink;
  const offload_sink* m_downstream;
  std::string m_last_err;
};

} // namespace offload::plugins::ssh
