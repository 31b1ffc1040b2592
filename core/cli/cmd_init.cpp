// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

#include "process/unique_fd.hpp"
#include "util/logging.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

namespace offload::cli {
namespace {

Result<const plugin::Factory*> pick(const plugin::Registry& reg, uint32_t kind, const std::string& type) {
  if (const auto* f = reg.find(kind, type)) {
    return f;
  }
  std::string list;
  for (const auto& n : reg.names(kind)) {
    list += (list.empty() ? "" : ", ") + n;
  }
  return make_error("init: unknown ", plugin::kind_name(kind), " type '", type, "' (available: ",
                    list.empty() ? "none" : list, ")");
}

std::string section(const char* name, const plugin::Factory& f) {
  std::ostringstream out;
  out << "[" << name << "]\n# " << f.raw->description << "\ntype = \"" << f.name() << "\"\n";
  if (f.raw->config_template != nullptr && *f.raw->config_template != '\0') {
    std::string body = f.raw->config_template;
    out << body << (body.back() == '\n' ? "" : "\n");
  }
  return out.str();
}

// The written file must load as it stands, including the plugins' sections.
Status check_generated(const std::string& text, const std::string& path, const plugin::Factory& provider,
                       const plugin::Factory& framework) {
  auto cfg = config::parse(text, path);
  if (!cfg) {
    return cfg.error();
  }
  for (auto [sec, f] : {std::pair{&cfg->provider, &provider}, std::pair{&cfg->framework, &framework}}) {
    const std::span<const offload_option> options(f->raw->options, f->raw->option_count);
    if (auto checked = config::check_plugin_section(*sec, options); !checked) {
      return checked.error();
    }
  }
  return {};
}

} // namespace

void add_init_options(po::options_description& desc) {
  desc.add_options()
      ("provider,p", po::value<std::string>()->default_value("local"), "provider type")
      ("framework,f", po::value<std::string>(), "framework type (default: pytest when installed, else default)");
}

int cmd_init(const GlobalOptions& global, const po::variables_map& vm) {
  const std::filesystem::path path = global.config_path;
  std::error_code ec;
  // symlink_status: a dangling symlink is "there" too, and writing through
  // it would create a file wherever it points.
  if (std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
    util::report_error(path.string() + " already exists; init never overwrites it (remove it, or pass -c NEW.toml)");
    return k_exit_failed;
  }
  const auto registry = load_registry(global);
  std::string fw_type = vm.count("framework") ? vm["framework"].as<std::string>() : "pytest";
  if (!vm.count("framework") && registry->find(OFFLOAD_KIND_FRAMEWORK, fw_type) == nullptr) {
    fw_type = "default";
  }
  auto provider = pick(*registry, OFFLOAD_KIND_PROVIDER, vm["provider"].as<std::string>());
  auto framework = pick(*registry, OFFLOAD_KIND_FRAMEWORK, fw_type);
  if (!provider || !framework) {
    util::report_error(!provider ? provider.error().message : framework.error().message);
    return k_exit_failed;
  }
  std::ostringstream text;
  text << "# offload configuration file (see `offload --help`)\n\n"
       << "[offload]\nmax_parallel = 4\ntest_timeout_secs = 900\n\n"
       << section("provider", **provider) << "\n"
       << section("framework", **framework) << "\n"
       << "[groups.all]\nretry_count = 1\n\n"
       << "[report]\noutput_dir = \"test-results\"\n";
  if (auto st = check_generated(text.str(), path.string(), **provider, **framework); !st) {
    util::report_error("init: the generated config does not load (a plugin's template is broken): " +
                       st.error().message);
    return k_exit_failed;
  }
  // O_EXCL | O_NOFOLLOW: whatever appeared at `path` since the check stays as it was.
  const process::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  const std::string content = text.str();
  if (!fd || ::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    util::report_error("cannot write " + path.string() + ": " + std::strerror(errno));
    return k_exit_failed;
  }
  std::printf("Created %s (provider %s, framework %s). Run `offload run` to start.\n", path.c_str(),
              std::string((*provider)->name()).c_str(), std::string((*framework)->name()).c_str());
  return k_exit_ok;
}

} // namespace offload::cli
