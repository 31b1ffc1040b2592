// SPDX-License-Identifier: MIT
#include "util/logging.hpp"
#include "util/terminal_text.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace offload::util {
namespace {

std::mutex g_guard_mutex;
LogGuard g_guard;

// Hands each line to the guard, if one is set, to be written while the
// console's progress line is off the terminal.
class GuardedSink final : public spdlog::sinks::sink {
public:
  explicit GuardedSink(std::shared_ptr<spdlog::sinks::sink> inner) : m_inner(std::move(inner)) {}

  void log(const spdlog::details::log_msg& msg) override {
    const std::lock_guard lock(g_guard_mutex);
    if (!g_guard) {
      m_inner->log(msg);
      return;
    }
    g_guard([&] {
      m_inner->log(msg);
      m_inner->flush();
    });
  }
  void flush() override { m_inner->flush(); }
  void set_pattern(const std::string& pattern) override { m_inner->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    m_inner->set_formatter(std::move(formatter));
  }

private:
  std::shared_ptr<spdlog::sinks::sink> m_inner;
};

} // namespace

void init_logging(int verbosity) {
  auto sink = std::make_shared<GuardedSink>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  auto logger = std::make_shared<spdlog::logger>("offload", std::move(sink));
  logger->set_pattern("offload: %^%l%$: %v");
  switch (verbosity) {
  case 0: logger->set_level(spdlog::level::warn); break;
  case 1: logger->set_level(spdlog::level::info); break;
  default: logger->set_level(spdlog::level::debug); break;
  }
  spdlog::set_default_logger(logger);
}

void set_log_guard(LogGuard guard) {
  const std::lock_guard lock(g_guard_mutex);
  g_guard = std::move(guard);
}

void report_error(std::string_view message) {
  spdlog::error("{}", terminal_text(message, true));
}

} // namespace offload::util
