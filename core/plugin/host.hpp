// SPDX-License-Identifier: MIT
#pragma once

#include "process/cancel.hpp"

#include <offload/plugin.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

/// The host's side of the opaque ABI handles.
struct offload_error {
  int32_t code = 0;
  std::string key;
  std::string message;
};

struct offload_cancel {
  offload::process::CancelToken token;
};

namespace offload::plugin {

/// The host services table handed to the plugin named `plugin_name`. One
/// table per plugin so log lines can name it; valid until the process exits.
const offload_host_v1* host_table(std::string_view plugin_name);

/// From now until take_logged_error, OFFLOAD_LOG_ERROR lines of the plugin
/// behind `host` (a table from host_table) are kept, and only logged at
/// debug level: while its entry point runs, an error line is the reason it
/// refuses this host, which the loader reports as the file's rejection.
void hold_logged_errors(const offload_host_v1* host);
/// The last OFFLOAD_LOG_ERROR line since hold_logged_errors ("" if none);
/// error lines are printed again from now on.
std::string take_logged_error(const offload_host_v1* host);

/// Where @name.ext scripts are looked up: $OFFLOAD_BUNDLED_DIR, the build
/// tree next to the executable, then the installed directory.
std::vector<std::filesystem::path> bundled_dirs();

/// The absolute path of a bundled script, or "" when there is none.
std::filesystem::path find_bundled(std::string_view name);

} // namespace offload::plugin
