// SPDX-License-Identifier: MIT
#include "plugin/registry.hpp"

#include "offload_config.h"
#include "plugin/host.hpp"
#include "plugin/tables.hpp"
#include "util/paths.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace offload::plugin {
namespace {

std::string version_text(uint32_t v) {
  return std::to_string(OFFLOAD_ABI_VERSION_MAJOR(v)) + "." + std::to_string(OFFLOAD_ABI_VERSION_MINOR(v));
}

bool has_plugin_name(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  return name.starts_with("offload-") && name.ends_with(".so") && name.size() > std::string_view("offload-.so").size();
}

/// The offload-*.so files of `dir`, sorted. Only non-throwing filesystem
/// calls: a directory or file that cannot be read (a symlink loop, no
/// permission) is a warning or a rejection, never an abort.
std::vector<std::filesystem::path> plugin_files(const std::filesystem::path& dir, std::vector<Rejected>& rejected) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  const std::filesystem::directory_iterator end;
  for (; !ec && it != end; it.increment(ec)) {
    if (!has_plugin_name(it->path())) {
      continue;
    }
    std::error_code file_ec;
    if (it->is_regular_file(file_ec)) {
      files.push_back(it->path());
    } else if (file_ec) {
      rejected.push_back({it->path(), "cannot be read: " + file_ec.message()});
    }
  }
  // A missing directory is normal (the installed one in a build tree, say).
  if (ec && ec != std::errc::no_such_file_or_directory) {
    spdlog::warn("plugin directory {} cannot be read ({}); looking for plugins elsewhere", dir.string(),
                 ec.message());
  }
  std::sort(files.begin(), files.end());
  return files;
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
    for (const auto& file : plugin_files(dir, reg->m_rejected)) {
      std::error_code ec;
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
  hold_logged_errors(host);
  const int32_t rc = entry(OFFLOAD_ABI_VERSION, host, &desc);
  const std::string why = take_logged_error(host);
  if (rc != OFFLOAD_OK) {
    return reject(std::string(OFFLOAD_PLUGIN_ENTRY_NAME) + " refused this host (ABI " +
                  version_text(OFFLOAD_ABI_VERSION) + "), code " + std::to_string(rc) +
                  (why.empty() ? "" : ": " + why));
  }
  if (desc == nullptr || desc->struct_size < k_descriptor_1_0_size) {
    return reject("descriptor is NULL or smaller than the ABI 1.0 struct offload_plugin_descriptor");
  }
  // Only the bytes the plugin declares are read; a newer plugin's extra fields are ignored.
  const offload_plugin_descriptor d = read_grown<offload_plugin_descriptor>(desc);
  if (OFFLOAD_ABI_VERSION_MAJOR(d.abi_version) != OFFLOAD_ABI_MAJOR) {
    return reject("built for plugin ABI " + version_text(d.abi_version) + ", but this offload speaks ABI " +
                  version_text(OFFLOAD_ABI_VERSION) + " (the major version must match; rebuild the plugin)");
  }
  if (d.min_host_abi_version != 0 && (OFFLOAD_ABI_VERSION_MAJOR(d.min_host_abi_version) != OFFLOAD_ABI_MAJOR ||
                                      d.min_host_abi_version > OFFLOAD_ABI_VERSION)) {
    return reject("needs a host of plugin ABI " + version_text(d.min_host_abi_version) +
                  " or newer, but this offload speaks ABI " + version_text(OFFLOAD_ABI_VERSION) +
                  " (upgrade offload)");
  }
  if (d.name == nullptr || stem != d.name) {
    return reject(std::string("descriptor name '") + (d.name != nullptr ? d.name : "") +
                  "' does not match the file name offload-" + stem + ".so");
  }
  if (d.factory_count > 0 && d.factories == nullptr) {
    return reject("descriptor declares factories but has no factory array");
  }
  std::vector<std::unique_ptr<const FactoryTables>> read;
  for (uint32_t i = 0; i < d.factory_count; ++i) {
    auto tables = read_factory(d.factories[i]);
    if (!tables) {
      return reject(tables.error().message);
    }
    read.push_back(std::move(*tables));
  }

  const std::string version = d.version != nullptr ? d.version : "";
  m_plugins.push_back({path, d.name, version, d.description != nullptr ? d.description : "", d.abi_version});
  for (auto& tables : read) {
    const offload_factory* f = &tables->factory;
    if (const Factory* winner = find(f->kind, f->name)) {
      spdlog::warn("{} {} '{}' in {} is ignored: {} provides it first", kind_name(f->kind), "type",
                   f->name, path.string(), winner->path.string());
      m_shadowed.push_back({path, kind_name(f->kind), f->name, winner->path});
      continue;
    }
    m_factories.push_back({f, d.name, version, path, host});
    m_tables.push_back(std::move(tables));
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
