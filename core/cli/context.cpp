// SPDX-License-Identifier: MIT
#include "cli/context.hpp"

#include <filesystem>

namespace offload::cli {
namespace {

Result<const plugin::Factory*> find_factory(const plugin::Registry& reg, uint32_t kind,
                                            const config::PluginSection& section) {
  if (const auto* f = reg.find(kind, section.type)) {
    return f;
  }
  const auto known = reg.names(kind);
  std::string list;
  for (const auto& n : known) {
    list += (list.empty() ? "" : ", ") + n;
  }
  const std::string hint = config::closest_match(section.type, known);
  return make_error(config::to_string(section.where("type")), ": unknown ", section.name, " type '", section.type,
                    "'", hint.empty() ? "" : "; did you mean '" + hint + "'?",
                    " (available: ", list.empty() ? "none; is the plugin directory right? see `offload plugins`" : list,
                    ")");
}

} // namespace

std::unique_ptr<plugin::Registry> load_registry(const GlobalOptions& global) {
  return plugin::Registry::scan(plugin::search_path(global.plugin_dirs));
}

Result<Context> load_context(const GlobalOptions& global) {
  auto cfg = config::load(global.config_path);
  if (!cfg) {
    return std::move(cfg).error();
  }
  if (const auto& dir = cfg->offload.working_dir) {
    // Everything relative (discovery, providers, the output directory) starts here.
    std::error_code ec;
    std::filesystem::current_path(*dir, ec);
    if (ec) {
      return make_error(config::to_string({cfg->path, 0}), ": offload.working_dir '", *dir, "': ", ec.message());
    }
  }
  Context ctx;
  ctx.config = std::move(*cfg);
  ctx.registry = load_registry(global);

  auto fw_factory = find_factory(*ctx.registry, OFFLOAD_KIND_FRAMEWORK, ctx.config.framework);
  if (!fw_factory) {
    return std::move(fw_factory).error();
  }
  auto pv_factory = find_factory(*ctx.registry, OFFLOAD_KIND_PROVIDER, ctx.config.provider);
  if (!pv_factory) {
    return std::move(pv_factory).error();
  }
  auto fw = plugin::create_instance(**fw_factory, ctx.config.framework);
  if (!fw) {
    return std::move(fw).error();
  }
  ctx.framework = std::make_unique<plugin::Framework>(**fw_factory, fw->first);
  auto pv = plugin::create_instance(**pv_factory, ctx.config.provider);
  if (!pv) {
    return std::move(pv).error();
  }
  ctx.provider = std::make_unique<plugin::Provider>(**pv_factory, pv->first);
  return ctx;
}

} // namespace offload::cli
