// SPDX-License-Identifier: MIT
#pragma once

#include "../plugin_support/fake_host.hpp"

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace offload::plugins {
class PytestFramework;
}

namespace offload::pytest_plugin::testing {

/// The source tree's bundled/ directory, where the real offload_pytest.py is.
std::string bundled_dir();

/// The FakeHost, but with offload_pytest.py resolvable, as the real host
/// resolves it from its bundled directory.
class PytestHost {
public:
  PytestHost();
  const offload_host_v1* table() const noexcept { return &m_table; }
  const plugin_support::testing::FakeHost& fake() const noexcept { return m_fake; }

private:
  plugin_support::testing::FakeHost m_fake;
  offload_host_v1 m_table;
};

/// A pytest framework made from the defaults overlaid with `config`.
std::unique_ptr<plugins::PytestFramework> make_framework(const PytestHost& host,
                                                         const nlohmann::json& config = nlohmann::json::object());

/// The Failure that creating a framework from `config` throws; code 0 when none.
sdk::Failure creation_failure(const nlohmann::json& config);

} // namespace offload::pytest_plugin::testing
