// SPDX-License-Identifier: MIT
#pragma once

#include "util/result.hpp"

#include <offload/plugin.h>

#include <boost/dll/shared_library.hpp>

#include <filesystem>

namespace offload::plugin {

/// A loaded plugin file. Loaded with RTLD_NOW | RTLD_LOCAL so a plugin with
/// an unresolved symbol is refused at load instead of failing mid-run.
/// Never unloaded while the run goes on: the Registry keeps it until exit.
class Library {
public:
  /// The dlerror text on failure.
  static Result<Library> open(const std::filesystem::path& path);

  /// The exported entry point, or nullptr when the file has none.
  offload_plugin_entry_fn entry() const;

private:
  explicit Library(boost::dll::shared_library lib) : m_lib(std::move(lib)) {}
  boost::dll::shared_library m_lib;
};

} // namespace offload::plugin
