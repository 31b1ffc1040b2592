// SPDX-License-Identifier: MIT
#include "plugin/tables.hpp"

#include <string>

namespace offload::plugin {
namespace {

std::string too_small(const char* what, uint32_t size, std::size_t minimum) {
  return std::string(what) + " has struct_size " + std::to_string(size) + ", smaller than its ABI 1.0 size " +
         std::to_string(minimum);
}

// Every slot the host calls without checking for NULL.
const char* missing_slot(const FactoryTables& t) {
  if (t.factory.create == nullptr) return "create";
  if (t.factory.kind == OFFLOAD_KIND_PROVIDER) {
    if (t.provider.create_sandbox == nullptr) return "create_sandbox";
    if (t.provider.exec == nullptr) return "exec";
    if (t.provider.download == nullptr) return "download";
    if (t.provider.destroy_sandbox == nullptr) return "destroy_sandbox";
    if (t.provider.destroy == nullptr) return "destroy";
  } else {
    if (t.framework.discover == nullptr) return "discover";
    if (t.framework.build_command == nullptr) return "build_command";
    if (t.framework.map_results == nullptr) return "map_results";
    if (t.framework.destroy == nullptr) return "destroy";
  }
  return nullptr;
}

Status read_options(const offload_factory& raw, std::vector<offload_option>& out) {
  if (raw.option_count == 0) {
    return {};
  }
  const std::string owner = std::string("factory '") + raw.name + "'";
  if (raw.options == nullptr) {
    return Error{owner + " declares options but has no option table"};
  }
  const uint32_t stride = raw.options->struct_size;
  if (stride < k_option_1_0_size) {
    return Error{owner + ": " + too_small("its first option", stride, k_option_1_0_size)};
  }
  for (uint32_t i = 0; i < raw.option_count; ++i) {
    const offload_option* entry = OFFLOAD_OPTION_AT(raw.options, i);
    if (entry->struct_size != stride) {
      return Error{owner + ": option " + std::to_string(i) + " has struct_size " +
                   std::to_string(entry->struct_size) + ", but the table's entries are " + std::to_string(stride) +
                   " bytes apart (all entries of one table must have the same struct_size)"};
    }
    out.push_back(read_grown<offload_option>(entry));
    if (out.back().name == nullptr || *out.back().name == '\0') {
      return Error{owner + ": option " + std::to_string(i) + " has no name"};
    }
  }
  return {};
}

} // namespace

Result<std::unique_ptr<const FactoryTables>> read_factory(const offload_factory* raw) {
  if (raw == nullptr) {
    return Error{"a factory is NULL"};
  }
  if (raw->struct_size < k_factory_1_0_size) {
    return Error{too_small("a factory", raw->struct_size, k_factory_1_0_size)};
  }
  auto tables = std::make_unique<FactoryTables>();
  tables->factory = read_grown<offload_factory>(raw);
  offload_factory& f = tables->factory;
  if (f.kind != OFFLOAD_KIND_PROVIDER && f.kind != OFFLOAD_KIND_FRAMEWORK) {
    return Error{"factory has unknown kind " + std::to_string(f.kind)};
  }
  if (f.name == nullptr || *f.name == '\0') {
    return Error{"a factory has no name"};
  }
  const std::string owner = std::string("factory '") + f.name + "'";
  if (f.iface == nullptr) {
    return Error{owner + " has no function table"};
  }
  const uint32_t table_size = *static_cast<const uint32_t*>(f.iface);
  if (f.kind == OFFLOAD_KIND_PROVIDER) {
    if (table_size < k_provider_1_0_size) {
      return Error{owner + ": " + too_small("its offload_provider_v1 table", table_size, k_provider_1_0_size)};
    }
    tables->provider = read_grown<offload_provider_v1>(f.iface);
    f.iface = &tables->provider;
  } else {
    if (table_size < k_framework_1_0_size) {
      return Error{owner + ": " + too_small("its offload_framework_v1 table", table_size, k_framework_1_0_size)};
    }
    tables->framework = read_grown<offload_framework_v1>(f.iface);
    f.iface = &tables->framework;
  }
  if (auto read = read_options(f, tables->options); !read) {
    return read.error();
  }
  f.options = tables->options.empty() ? nullptr : tables->options.data();
  if (const char* slot = missing_slot(*tables)) {
    return Error{owner + " lacks " + slot};
  }
  return std::unique_ptr<const FactoryTables>(std::move(tables));
}

} // namespace offload::plugin
