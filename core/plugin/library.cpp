// SPDX-License-Identifier: MIT
#include "plugin/library.hpp"

#include <system_error>

namespace offload::plugin {

Result<Library> Library::open(const std::filesystem::path& path) {
  namespace mode = boost::dll::load_mode;
  try {
    // The throwing overload is the one that carries dlerror()'s text.
    boost::dll::shared_library lib(boost::dll::fs::path(path.string()),
                                   mode::rtld_now | mode::rtld_local);
    return Library(std::move(lib));
  } catch (const std::system_error& e) {
    return Error{e.what()};
  }
}

offload_plugin_entry_fn Library::entry() const {
  if (!m_lib.has(OFFLOAD_PLUGIN_ENTRY_NAME)) {
    return nullptr;
  }
  return m_lib.get<int32_t(uint32_t, const offload_host_v1*, const offload_plugin_descriptor**)>(
      OFFLOAD_PLUGIN_ENTRY_NAME);
}

} // namespace offload::plugin
