// SPDX-License-Identifier: MIT
#include "pytest_host.hpp"

#include "pytest_framework.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

namespace offload::pytest_plugin::testing {
namespace {

int32_t bundled_script(const offload_host_v1*, const char* name, const offload_sink* path, offload_error*) {
  const std::string found = bundled_dir() + "/" + name;
  return path->write(path->data, OFFLOAD_CHANNEL_DATA, found.data(), found.size());
}

} // namespace

std::string bundled_dir() {
  const char* root = std::getenv("OFFLOAD_SOURCE_ROOT");
  return std::string(root != nullptr ? root : ".") + "/bundled";
}

PytestHost::PytestHost() : m_table(*m_fake.table()) {
  m_table.bundled_script = &bundled_script;
}

std::unique_ptr<plugins::PytestFramework> make_framework(const PytestHost& host, const nlohmann::json& config) {
  nlohmann::json full = {{"python", "/usr/bin/python3"}, {"extra_args", nlohmann::json::array()},
                         {"paths", nlohmann::json::array()}, {"run_args", nlohmann::json::array()}};
  full.update(config);
  return std::make_unique<plugins::PytestFramework>(host.table(), full.dump());
}

sdk::Failure creation_failure(const nlohmann::json& config) {
  PytestHost host;
  return plugin_support::testing::failure_of([&] { make_framework(host, config); });
}

} // namespace offload::pytest_plugin::testing
