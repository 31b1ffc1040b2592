// SPDX-License-Identifier: MIT
#include "plugin/registry.hpp"

#include "offload_config.h"
#include "plugin/host.hpp"
#include "util/paths.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace offload::plugin {
namespace {

std::string version_text(uint32_t v) {
  return std::to_string(OFFLOAD_ABI_VERSION_MAJOR(v)) + "." + std::to_string(OFFLOAD_ABI_VERSION_MINOR(v));
}

bool is_plugin_file(const std::filesystem::directory_entry& entry) {
  const std::string name = entry.path().filename().string();
  return entry.is_regular_file() && name.starts_with("offload-") && name.ends_with(".so") &&
         name.size() > std::string_view("offload-.so").size();
}

// Every slot the host calls without checking for NULL.
std::string missing_slot(const offload_factory& f) {
  if (f.create == nullptr) {
    return "create";
  }
  if (f.kind == OFFLOAD_KIND_PROVIDER) {
    const auto* t = static_cast<const offload_provider_v1*>(f.iface);
    if (t->struct_size < sizeof(offload_provider_v1)) {
      return "a complete offload_provider_v1 table";
    }
    if (t->create_sandbox == nullptr) return "create_sandbox";
    if (t->exec == nullptr) return "exec";
    if (t->download == nullptr) return "download";
    if (t->destroy_sandbox == nullptr) return "destroy_sandbox";
    if (t->destroy == nullptr) return "destroy";
  } else {
    const auto* t = static_cast<const offload_framework_v1*>(f.iface);
    if (t->struct_size < sizeof(offload_framework_v1)) {
      return "a complete offload_framework_v1 table";
    }
    if (t->discover == nullptr) return "discover";
    if (t->build_command == nullptr) return "build_command";
    if (t->map_results == nullptr) return "map_results";
    if (t->destroy == nullptr) return "destroy";
  }
  return {};
}

std::string check_factory(const offload_factory* f) {
  if (f == nullptr || f->struct_size < sizeof(offload_factory)) {
    return "a factory is NULL or smaller than struct offload_factory";
  }
  if (f->kind != OFFLOAD_KIND_PROVIDER && f->kind != OFFLOAD_KIND_FRAMEWORK) {
    return "factory has unknown kind " + std::to_string(f->kind);
  }
  if (f->name == nullptr || *f->name == '\0') {
    return "a factory has no name";
  }
  if (f->iface == nullptr) {
    return std::string("factory '") + f->name + "' has no function table";
  }
  if (f->option_count > 0 && f->options == nullptr) {
    return std::string("factory '") + f->name + "' declares options but has no option table";
  }
  if (auto slot = missing_slot(*f); !slot.empty()) {
    return std::string("factory '") + f->name + "' lacks " + slot;
  }
  return {};
}

} // namespace

const char* kind_name(uint32_t kind) {
  switch (kind) {
  case OFFLOAD_KIND_PROVIDER: return "provider";
  case OFFLOAD_KIND_FRAMEWORK: return "framework";
  default: return "unknown";
  }
}

std::vector<std::filesystem::path> search_path(const std::vector<std::string>& cli_dirs) {
  std::vector<std::filesystem::path> dirs(cli_dirs.begin(), cli_dirs.end());
  if (auto extra = util::env("OFFLOAD_PLUGIN_PATH")) {
    for (const auto& d : util::split_path_list(*extra)) {
      dirs.emplace_back(d);
    }
  }
  if (auto system = util::env("OFFLOAD_PLUGIN_SYSTEM_PATH")) {
    for (const auto& d : util::split_path_list(*system)) {
      dirs.emplace_back(d);
    }
  } else {
    // A build tree's own plugins beat an older installed copy.
    dirs.push_back(util::executable_dir().parent_path() / "plugins");
    dirs.emplace_back(OFFLOAD_PLUGINDIR);
  }
  return dirs;
}

std::unique_ptr<Registry> Registry::scan(const std::vector<std::filesystem::path>& dirs) {
  auto reg = std::make_unique<Registry>();
  reg->m_dirs = dirs;
  std::set<std::filesystem::path> seen;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (is_plugin_file(entry)) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      // The same directory may be listed twice (e.g. --plugin-dir and the default).
      auto canonical = std::filesystem::weakly_canonical(file, ec);
      if (!seen.insert(ec ? file : canonical).second) {
        continue;
      }
      reg->load_file(file);
    }
  }
  return reg;
}

void Registry::load_file(const std::filesystem::path& path) {
  auto reject = [&](std::string reason) {
    spdlog::debug("plugin {} rejected: {}", path.string(), reason);
    m_rejected.push_back({path, std::move(reason)});
  };
  auto lib = Library::open(path);
  if (!lib) {
    return reject(lib.error().message);
  }
  const auto entry = lib->entry();
  if (entry == nullptr) {
    return reject(std::string("no ") + OFFLOAD_PLUGIN_ENTRY_NAME + " symbol: not an offload plugin");
  }
  std::string stem = path.filename().string();
  stem = stem.substr(std::string_view("offload-").size(),
                     stem.size() - std::string_view("offload-.so").size());
  const offload_host_v1* host = host_table(stem);
  const offload_plugin_descriptor* desc = nullptr;
  const int32_t rc = entry(OFFLOAD_ABI_VERSION, host, &desc);
  if (rc != OFFLOAD_OK) {
    return reject(std::string(OFFLOAD_PLUGIN_ENTRY_NAME) + " refused this host (ABI " +
                  version_text(OFFLOAD_ABI_VERSION) + "), code " + std::to_string(rc));
  }
  if (desc == nullptr || desc->struct_size < sizeof(offload_plugin_descriptor)) {
    return reject("descriptor is NULL or smaller than struct offload_plugin_descriptor");
  }
  const uint32_t major = OFFLOAD_ABI_VERSION_MAJOR(desc->abi_version);
  const uint32_t minor = OFFLOAD_ABI_VERSION_MINOR(desc->abi_version);
  if (major != OFFLOAD_ABI_MAJOR) {
    return reject("built for plugin ABI " + version_text(desc->abi_version) + ", but this offload speaks ABI " +
                  version_text(OFFLOAD_ABI_VERSION) + " (the major version must match; rebuild the plugin)");
  }
  if (minor > OFFLOAD_ABI_MINOR) {
    return reject("built for plugin ABI " + version_text(desc->abi_version) + ", newer than this offload's " +
                  version_text(OFFLOAD_ABI_VERSION) + " (upgrade offload)");
  }
  if (desc->name == nullptr || stem != desc->name) {
    return reject(std::string("descriptor name '") + (desc->name != nullptr ? desc->name : "") +
                  "' does not match the file name offload-" + stem + ".so");
  }
  if (desc->factory_count > 0 && desc->factories == nullptr) {
    return reject("descriptor declares factories but has no factory array");
  }
  for (uint32_t i = 0; i < desc->factory_count; ++i) {
    if (auto problem = check_factory(desc->factories[i]); !problem.empty()) {
      return reject(problem);
    }
  }

  m_plugins.push_back({path, desc->name, desc->version != nullptr ? desc->version : "",
                       desc->description != nullptr ? desc->description : "", desc->abi_version});
  for (uint32_t i = 0; i < desc->factory_count; ++i) {
    const offload_factory* f = desc->factories[i];
    if (const Factory* winner = find(f->kind, f->name)) {
      spdlog::warn("{} {} '{}' in {} is ignored: {} provides it first", kind_name(f->kind), "type",
                   f->name, path.string(), winner->path.string());
      m_shadowed.push_back({path, kind_name(f->kind), f->name, winner->path});
      continue;
    }
    m_factories.push_back({f, desc->name, desc->version != nullptr ? desc->version : "", path, host});
  }
  m_libraries.push_back(std::move(*lib));
}

const Factory* Registry::find(uint32_t kind, std::string_view name) const {
  for (const auto& f : m_factories) {
    if (f.kind() == kind && f.name() == name) {
      return &f;
    }
  }
  return nullptr;
}

std::vector<std::string> Registry::names(uint32_t kind) const {
  std::vector<std::string> out;
  for (const auto& f : m_factories) {
    if (f.kind() == kind) {
      out.emplace_back(f.name());
    }
  }
  return out;
}

} // namespace offload::plugin
