// SPDX-License-Identifier: MIT
#pragma once

#include "util/result.hpp"

#include <offload/plugin.h>

#include <nlohmann/json.hpp>

#include <string>

#include <string_view>
#include <utility>

namespace offload::plugin {

/// An offload_sink that calls `fn(channel, bytes)`; `fn` returns 0 or a
/// negative OFFLOAD_E* code. An exception from `fn` never reaches the plugin.
template <class Fn>
class FunctionSink {
public:
  explicit FunctionSink(Fn fn) : m_fn(std::move(fn)) {
    m_sink.struct_size = sizeof(offload_sink);
    m_sink.reserved = 0;
    m_sink.write = &FunctionSink::write;
    m_sink.data = this;
  }
  FunctionSink(const FunctionSink&) = delete;
  FunctionSink& operator=(const FunctionSink&) = delete;

  const offload_sink* get() const noexcept { return &m_sink; }

private:
  static int32_t write(void* self, uint32_t channel, const char* bytes, size_t len) noexcept {
    try {
      return static_cast<FunctionSink*>(self)->m_fn(channel, std::string_view(bytes, len));
    } catch (...) {
      return OFFLOAD_EFAULT;
    }
  }

  offload_sink m_sink;
  Fn m_fn;
};

/// A request as JSON text for a plugin. Strings that are not UTF-8 (test
/// names read from a runner's result file, say) get U+FFFD instead of
/// making dump() throw, which in a worker thread would abort the run.
inline std::string json_text(const nlohmann::json& request) {
  return request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// Name of an OFFLOAD_E* code, for messages.
const char* error_code_name(int32_t code);

/// make_error with an OFFLOAD_E* code, for failures the host detects in
/// what a plugin returned (OFFLOAD_EFAULT: a plugin bug, not worth a retry).
template <class... Parts>
Error coded_error(int32_t code, Parts&&... parts) {
  Error e = make_error(std::forward<Parts>(parts)...);
  e.code = code;
  return e;
}

} // namespace offload::plugin
