// SPDX-License-Identifier: MIT
#include "bundled_host.hpp"

#include <string>
#include <system_error>
#include <utility>

namespace offload::plugin_support::testing {
namespace fs = std::filesystem;
namespace {

fs::path g_scripts;

} // namespace

BundledHost::BundledHost(const FakeHost& host, fs::path scripts) : m_table(*host.table()) {
  g_scripts = std::move(scripts);
  m_table.bundled_script = &BundledHost::bundled_script;
}

BundledHost::~BundledHost() {
  g_scripts.clear();
}

int32_t BundledHost::bundled_script(const offload_host_v1* host, const char* name, const offload_sink* path,
                                    offload_error* err) {
  std::error_code ec;
  const fs::path found = g_scripts / name;
  if (!fs::is_regular_file(found, ec)) {
    const std::string message = "no bundled script '" + std::string(name) + "'";
    host->error_set(err, OFFLOAD_ENOENT, nullptr, message.data(), message.size());
    return OFFLOAD_ENOENT;
  }
  const std::string text = found.string();
  return path->write(path->data, OFFLOAD_CHANNEL_DATA, text.data(), text.size());
}

} // namespace offload::plugin_support::testing
