// SPDX-License-Identifier: MIT
#include "util/logging.hpp"
#include "util/terminal_text.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace offload::util {

void init_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("offload");
  logger->set_pattern("offload: %^%l%$: %v");
  switch (verbosity) {
  case 0: logger->set_level(spdlog::level::warn); break;
  case 1: logger->set_level(spdlog::level::info); break;
  default: logger->set_level(spdlog::level::debug); break;
  }
  spdlog::set_default_logger(logger);
}

void report_error(std::string_view message) {
  spdlog::error("{}", terminal_text(message, true));
}

} // namespace offload::util
