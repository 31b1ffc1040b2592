// SPDX-License-Identifier: MIT
#pragma once

#include "default_provider.hpp"

#include <offload/plugin.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// The keys of a `[provider]` section of type "modal".
struct ModalOptions {
  std::optional<std::string> dockerfile;
  bool include_cwd = false;
  std::vector<std::string> copy_dirs;
  std::map<std::string, std::string> env;
  std::string python; ///< "" = pick one (see script_runner)
  int64_t timeout_secs = 3600;
};

/// Reads a checked section; throws sdk::Failure(OFFLOAD_EINVAL) naming the key
/// that breaks a rule.
ModalOptions modal_options_from_config(const nlohmann::json& config);

/// The shell words that run the bundled script: `python` as written, else
/// `uv run` (which installs the script's dependencies) when uv is in PATH,
/// else `python3`.
std::string script_runner(const std::string& python);

/// The `default` provider templates that drive modal_sandbox.py.
ShellCommands modal_commands(const ModalOptions& options, const std::string& runner);

/// The `modal` provider: the `default` provider running generated commands.
class ModalProvider : public DefaultProvider {
public:
  ModalProvider(const offload_host_v1* host, std::string_view config_json);
};

} // namespace offload::plugins
