// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"
#include "plugin/instance.hpp"
#include "plugin/registry.hpp"

#include <memory>
#include <string>
#include <vector>

namespace offload::cli {

/// Options every command accepts, before or after the command name.
struct GlobalOptions {
  std::string config_path = "offload.toml";
  int verbosity = 0;
  std::vector<std::string> plugin_dirs;
};

/// A loaded config with its plugins instantiated: what run, collect and
/// validate all start from. Members are destroyed in reverse order, so the
/// instances go before the registry unloads anything.
struct Context {
  config::Config config;
  std::unique_ptr<plugin::Registry> registry;
  std::unique_ptr<plugin::Provider> provider;
  std::unique_ptr<plugin::Framework> framework;
};

/// Scans the plugin search path.
std::unique_ptr<plugin::Registry> load_registry(const GlobalOptions& global);

/// Loads the config, finds the plugins for its provider and framework
/// types, and creates them (each checks its own section).
Result<Context> load_context(const GlobalOptions& global);

} // namespace offload::cli
