// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"
#include "util/logging.hpp"
#include "util/utf8.hpp"

#include <cstdio>
#include <exception>
#include <string>

namespace {

// The last line of defence: whatever escaped becomes one error line and
// exit status 1 instead of an abort.
int report_escaped(const char* what) noexcept {
  try {
    offload::util::report_error(std::string("internal error: ") + offload::util::escape_invalid_utf8(what));
  } catch (...) {
    std::fputs("offload: error: internal error\n", stderr);
  }
  return offload::cli::k_exit_failed;
}

} // namespace

int main(int argc, char** argv) {
  try {
    return offload::cli::main_with_args(argc, argv);
  } catch (const std::exception& e) {
    return report_escaped(e.what());
  } catch (...) {
    return report_escaped("unknown exception");
  }
}
