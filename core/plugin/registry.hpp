// SPDX-License-Identifier: MIT
#pragma once

#include "plugin/library.hpp"
#include "plugin/tables.hpp"

#include <offload/plugin.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugin {

/// A provider or framework type offered by a loaded plugin.
struct Factory {
  /// The factory in this host's layout (see read_factory): its options and
  /// iface are host copies, so every field this host knows can be read.
  const offload_factory* raw = nullptr;
  std::string plugin;            ///< the plugin's name
  std::string plugin_version;
  std::filesystem::path path;    ///< the .so it came from
  const offload_host_v1* host = nullptr;

  uint32_t kind() const { return raw->kind; }
  std::string_view name() const { return raw->name; }
};

struct LoadedPlugin {
  std::filesystem::path path;
  std::string name;
  std::string version;
  std::string description;
  uint32_t abi_version = 0;
};

/// A plugin file that was not loaded, and why.
struct Rejected {
  std::filesystem::path path;
  std::string reason;
};

/// A type that a plugin earlier in the search path already provides.
struct Shadowed {
  std::filesystem::path path;
  std::string kind;
  std::string name;
  std::filesystem::path winner;
};

const char* kind_name(uint32_t kind); ///< "provider", "framework", or "unknown"

/// The directories searched for plugins, in priority order: `cli_dirs`
/// (--plugin-dir), $OFFLOAD_PLUGIN_PATH, then the defaults — replaced by
/// $OFFLOAD_PLUGIN_SYSTEM_PATH when set, else the build tree next to the
/// executable and the installed plugin directory.
std::vector<std::filesystem::path> search_path(const std::vector<std::string>& cli_dirs);

/// Every plugin found on a search path. Loads on the calling (main) thread;
/// plugins stay loaded as long as the Registry lives.
class Registry {
public:
  static std::unique_ptr<Registry> scan(const std::vector<std::filesystem::path>& dirs);

  /// The first factory of that kind and name on the search path, or nullptr.
  const Factory* find(uint32_t kind, std::string_view name) const;
  std::vector<std::string> names(uint32_t kind) const;

  const std::vector<std::filesystem::path>& dirs() const { return m_dirs; }
  const std::vector<LoadedPlugin>& plugins() const { return m_plugins; }
  const std::vector<Factory>& factories() const { return m_factories; }
  const std::vector<Rejected>& rejected() const { return m_rejected; }
  const std::vector<Shadowed>& shadowed() const { return m_shadowed; }

private:
  void load_file(const std::filesystem::path& path);

  std::vector<std::filesystem::path> m_dirs;
  std::vector<Library> m_libraries;
  std::vector<std::unique_ptr<const FactoryTables>> m_tables;
  std::vector<LoadedPlugin> m_plugins;
  std::vector<Factory> m_factories;
  std::vector<Rejected> m_rejected;
  std::vector<Shadowed> m_shadowed;
};

} // namespace offload::plugin
