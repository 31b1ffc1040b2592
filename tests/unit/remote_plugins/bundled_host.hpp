// SPDX-License-Identifier: MIT
#pragma once

#include "../plugin_support/fake_host.hpp"

#include <offload/plugin.h>

#include <filesystem>

namespace offload::plugin_support::testing {

/// FakeHost's table, except that bundled_script finds the files of one
/// directory, as the host finds its bundled scripts. One at a time.
class BundledHost {
public:
  BundledHost(const FakeHost& host, std::filesystem::path scripts);
  ~BundledHost();
  BundledHost(const BundledHost&) = delete;
  BundledHost& operator=(const BundledHost&) = delete;

  const offload_host_v1* table() const noexcept { return &m_table; }

private:
  static int32_t bundled_script(const offload_host_v1* host, const char* name, const offload_sink* path,
                                offload_error* err);

  offload_host_v1 m_table;
};

} // namespace offload::plugin_support::testing
