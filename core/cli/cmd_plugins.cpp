// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

#include "offload_config.h"

namespace offload::cli {
namespace {

const char* option_type(uint32_t type) {
  switch (type) {
  case OFFLOAD_OPTION_STRING: return "string";
  case OFFLOAD_OPTION_INTEGER: return "integer";
  case OFFLOAD_OPTION_BOOLEAN: return "boolean";
  case OFFLOAD_OPTION_FLOAT: return "float";
  case OFFLOAD_OPTION_STRING_LIST: return "list of strings";
  case OFFLOAD_OPTION_STRING_TABLE: return "table of strings";
  default: return "unknown";
  }
}

} // namespace

int cmd_plugins(const GlobalOptions& global, const po::variables_map&) {
  const auto reg = load_registry(global);
  std::printf("Search path:\n");
  for (const auto& d : reg->dirs()) {
    std::printf("  %s\n", d.c_str());
  }
  std::printf("\nTypes:\n");
  if (reg->factories().empty()) {
    // A core packaged without its plugins lands here: say where they belong.
    std::printf("  none: no plugins are installed. offload loads offload-*.so files from the\n"
                "  directories above; installed plugins go in %s\n"
                "  (distributions ship them as offload-plugin-* packages).\n",
                OFFLOAD_PLUGINDIR);
  }
  for (const auto& f : reg->factories()) {
    std::printf("  %-9s %-10s %-8s %s\n", plugin::kind_name(f.kind()), std::string(f.name()).c_str(),
                f.plugin_version.c_str(), f.path.c_str());
    if (global.verbosity > 0) {
      std::printf("            %s\n", f.raw->description != nullptr ? f.raw->description : "");
      for (uint32_t i = 0; i < f.raw->option_count; ++i) {
        const auto& o = f.raw->options[i];
        std::printf("            %s (%s%s%s%s): %s\n", o.name, option_type(o.type),
                    (o.flags & OFFLOAD_OPTION_REQUIRED) != 0 ? ", required" : "",
                    o.default_json != nullptr ? ", default " : "", o.default_json != nullptr ? o.default_json : "",
                    o.help != nullptr ? o.help : "");
      }
    }
  }
  if (!reg->shadowed().empty()) {
    std::printf("\nShadowed (an earlier plugin provides the same type):\n");
    for (const auto& s : reg->shadowed()) {
      std::printf("  %s %s in %s (used: %s)\n", s.kind.c_str(), s.name.c_str(), s.path.c_str(), s.winner.c_str());
    }
  }
  if (!reg->rejected().empty()) {
    std::printf("\nRejected:\n");
    for (const auto& r : reg->rejected()) {
      std::printf("  %s: %s\n", r.path.c_str(), r.reason.c_str());
    }
  }
  return k_exit_ok;
}

} // namespace offload::cli
