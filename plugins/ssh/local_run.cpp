// SPDX-License-Identifier: MIT
#include "local_run.hpp"

#include "json_config.hpp"

#include <offload/plugin.hpp>

namespace offload::plugins::ssh {
namespace {

bool blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

} // namespace

std::string Ran::reason() const {
  for (auto it = err.rbegin(); it != err.rend(); ++it) {
    if (!blank(*it)) {
      return *it;
    }
  }
  switch (rc) {
  case OFFLOAD_OK: return "exit status " + std::to_string(status);
  case OFFLOAD_ETIMEDOUT: return "timed out";
  case OFFLOAD_ECANCELED: return "cancelled";
  case OFFLOAD_ENOENT: return "the program could not be started";
  default: return "failed with code " + std::to_string(rc);
  }
}

Ran run_collect(const offload_host_v1* host, const std::vector<std::string>& argv, int64_t timeout_ms,
                const offload_cancel* cancel) {
  const std::string spec = plugin_support::json_text({{"argv", argv}, {"timeout_ms", timeout_ms}});
  sdk::Collector output;
  Ran ran;
  ran.rc = host->process_run(host, spec.data(), spec.size(), output.sink(), cancel, &ran.status, nullptr);
  ran.out = output.out();
  ran.err = output.err();
  return ran;
}

TeeSink::TeeSink(const offload_sink* downstream) : m_downstream(downstream) {
  m_sink.struct_size = sizeof(offload_sink);
  m_sink.reserved = 0;
  m_sink.write = &TeeSink::write;
  m_sink.data = this;
}

int32_t TeeSink::write(void* self, uint32_t channel, const char* bytes, size_t len) {
  auto* tee = static_cast<TeeSink*>(self);
  if (channel == OFFLOAD_CHANNEL_STDERR && len > 0) {
    try {
      tee->m_last_err.assign(bytes, len);
    } catch (...) {
      return OFFLOAD_ENOMEM;
    }
  }
  if (tee->m_downstream == nullptr || tee->m_downstream->write == nullptr) {
    return OFFLOAD_OK;
  }
  return tee->m_downstream->write(tee->m_downstream->data, channel, bytes, len);
}

} // namespace offload::plugins::ssh
