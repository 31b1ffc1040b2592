// SPDX-License-Identifier: MIT
#pragma once
// Plugins loaded from the build tree, for the tests of core/plugin.

#include "plugin/instance.hpp"
#include "plugin/registry.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>

namespace offload::plugin::testing {

inline std::filesystem::path build_root() {
  const char* root = std::getenv("OFFLOAD_BUILD_ROOT");
  REQUIRE_MESSAGE(root != nullptr, "run through meson test (OFFLOAD_BUILD_ROOT unset)");
  return root;
}

/// The fixture plugins (tests/plugins) and the real ones (plugins/).
inline std::unique_ptr<Registry> fixture_plugins() {
  return Registry::scan({build_root() / "tests" / "plugins"});
}
inline std::unique_ptr<Registry> real_plugins() {
  return Registry::scan({build_root() / "plugins"});
}

/// create_instance of type `type` with a section holding `values`.
inline Result<std::pair<void*, nlohmann::json>> create(const Registry& reg, uint32_t kind, const char* type,
                                                        nlohmann::json values = nlohmann::json::object()) {
  const Factory* f = reg.find(kind, type);
  REQUIRE_MESSAGE(f != nullptr, type);
  config::PluginSection section;
  section.name = kind == OFFLOAD_KIND_PROVIDER ? "provider" : "framework";
  section.type = type;
  section.values = std::move(values);
  return create_instance(*f, section);
}

inline std::unique_ptr<Framework> framework(const Registry& reg, const char* type) {
  auto created = create(reg, OFFLOAD_KIND_FRAMEWORK, type);
  REQUIRE_MESSAGE(created.ok(), created.error().message);
  return std::make_unique<Framework>(*reg.find(OFFLOAD_KIND_FRAMEWORK, type), created->first);
}

inline std::unique_ptr<Provider> provider(const Registry& reg, const char* type,
                                          nlohmann::json values = nlohmann::json::object()) {
  auto created = create(reg, OFFLOAD_KIND_PROVIDER, type, std::move(values));
  REQUIRE_MESSAGE(created.ok(), created.error().message);
  return std::make_unique<Provider>(*reg.find(OFFLOAD_KIND_PROVIDER, type), created->first);
}

} // namespace offload::plugin::testing
