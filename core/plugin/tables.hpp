// SPDX-License-Identifier: MIT
#pragma once

#include "util/result.hpp"

#include <offload/plugin.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <vector>

namespace offload::plugin {

/// The 1.0 sizes: the smallest struct_size a 1.x plugin can write.
inline constexpr std::size_t k_descriptor_1_0_size = offsetof(offload_plugin_descriptor, factories) + sizeof(void*);
inline constexpr std::size_t k_factory_1_0_size = offsetof(offload_factory, create) + sizeof(void*);
inline constexpr std::size_t k_option_1_0_size = offsetof(offload_option, help) + sizeof(void*);
inline constexpr std::size_t k_provider_1_0_size = offsetof(offload_provider_v1, destroy) + sizeof(void*);
inline constexpr std::size_t k_framework_1_0_size = offsetof(offload_framework_v1, destroy) + sizeof(void*);

/// A plugin struct copied into this host's layout: only the bytes its
/// struct_size declares are read (so every field is behind
/// OFFLOAD_STRUCT_HAS), fields the plugin's header did not have are zero
/// (NULL slots), and bytes of fields newer than this host are ignored.
/// The caller has checked that struct_size is at least the 1.0 size.
template <class T>
T read_grown(const void* plugin_struct) {
  T out{};
  const uint32_t size = static_cast<const T*>(plugin_struct)->struct_size;
  const std::size_t known = size < sizeof(T) ? size : sizeof(T);
  std::memcpy(&out, plugin_struct, known);
  out.struct_size = sizeof(T);
  return out;
}

/// A factory as this host reads it: the factory, its option table and its
/// function table, each copied with read_grown. `factory.options` and
/// `factory.iface` point into this object, which therefore never moves.
struct FactoryTables {
  offload_factory factory{};
  std::vector<offload_option> options;
  offload_provider_v1 provider{};
  offload_framework_v1 framework{};
};

/// Reads and checks one factory of a plugin; the Error says what is wrong.
Result<std::unique_ptr<const FactoryTables>> read_factory(const offload_factory* raw);

} // namespace offload::plugin
