// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

#include "offload_config.h"
#include "util/logging.hpp"
#include "util/utf8.hpp"

#include <iostream>

namespace offload::cli {
namespace {

void no_options(po::options_description&) {}

void add_global_options(po::options_description& desc, GlobalOptions& global) {
  desc.add_options()
      ("config,c", po::value(&global.config_path)->default_value("offload.toml"), "configuration file")
      ("plugin-dir", po::value(&global.plugin_dirs)->composing(),
       "search this directory for plugins first (repeatable)")
      ("help,h", "show help");
}

// "-v", "-vv", "--verbose" may stand anywhere and repeat; Boost's parser
// cannot count switches, so they are taken out before it runs.
std::vector<std::string> take_verbosity(int argc, char** argv, int& verbosity) {
  std::vector<std::string> rest;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--verbose") {
      ++verbosity;
    } else if (arg.size() >= 2 && arg[0] == '-' && arg[1] == 'v' && arg.find_first_not_of('v', 1) == std::string::npos) {
      verbosity += static_cast<int>(arg.size() - 1);
    } else {
      rest.push_back(arg);
    }
  }
  return rest;
}

void print_usage(const po::options_description& global) {
  std::cout << "offload " << OFFLOAD_VERSION << ": run a test suite in parallel sandboxes\n\n"
            << "usage: offload [-c PATH] [-v] <command> [options]\n\ncommands:\n";
  for (const auto& c : commands()) {
    std::printf("  %-10s %s\n", c.name, c.summary);
  }
  std::cout << "\n" << global << "  -v [ --verbose ]       more output (repeat for debug output)\n"
            << "  --version              print the version\n\n"
            << "`offload <command> --help` shows a command's options.\n"
            << "Exit codes: 0 all passed, 1 failures or tests not run (or an error), 2 only flaky, 130 interrupted.\n";
}

// Arguments end up in JSON for plugins, which must be UTF-8: refuse the
// others here, naming them, instead of failing deep inside a run.
bool arguments_are_utf8(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (!util::valid_utf8(argv[i])) {
      const std::string after = i > 1 ? " (after '" + util::escape_invalid_utf8(argv[i - 1]) + "')" : "";
      util::report_error("argument " + std::to_string(i) + after + " is not valid UTF-8: '" +
                         util::escape_invalid_utf8(argv[i]) + "'; expected UTF-8 text");
      return false;
    }
  }
  return true;
}

} // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"run", "discover and run the tests", &add_run_options, &cmd_run},
      {"collect", "discover the tests and list them", &add_collect_options, &cmd_collect},
      {"validate", "check the configuration and its plugins", &no_options, &cmd_validate},
      {"init", "write a starter offload.toml", &add_init_options, &cmd_init},
      {"plugins", "list the plugins found, and the files rejected", &no_options, &cmd_plugins},
      {"logs", "print the output of tests from the last run", &add_logs_options, &cmd_logs},
  };
  return all;
}

int main_with_args(int argc, char** argv) {
  GlobalOptions global;
  std::vector<std::string> args = take_verbosity(argc, argv, global.verbosity);
  util::init_logging(global.verbosity);
  if (!arguments_are_utf8(argc, argv)) {
    return k_exit_failed;
  }

  po::options_description global_desc("global options");
  add_global_options(global_desc, global);

  // The command is the first word that is neither an option nor an option's value.
  const Command* command = nullptr;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (command == nullptr && !a.empty() && a[0] != '-') {
      for (const auto& c : commands()) {
        if (a == c.name) {
          command = &c;
        }
      }
      if (command == nullptr) {
        util::report_error("unknown command '" + a + "'; run `offload --help` for the list");
        return k_exit_failed;
      }
      continue;
    }
    if (a == "--version") {
      std::cout << "offload " << OFFLOAD_VERSION << " (plugin ABI " << OFFLOAD_ABI_MAJOR << "." << OFFLOAD_ABI_MINOR
                << ")\n";
      return k_exit_ok;
    }
    rest.push_back(a);
    const bool takes_value = a == "-c" || a == "--config" || a == "--plugin-dir";
    if (command == nullptr && takes_value && i + 1 < args.size()) {
      rest.push_back(args[++i]);
    }
  }
  if (command == nullptr) {
    const bool wants_help = std::find(rest.begin(), rest.end(), "--help") != rest.end() ||
                            std::find(rest.begin(), rest.end(), "-h") != rest.end();
    print_usage(global_desc);
    return wants_help ? k_exit_ok : k_exit_failed;
  }

  po::options_description command_desc(std::string(command->name) + " options");
  command->add_options(command_desc);
  po::options_description all;
  all.add(command_desc).add(global_desc);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(rest).options(all).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    util::report_error(std::string(command->name) + ": " + e.what() + "; see `offload " + command->name + " --help`");
    return k_exit_failed;
  }
  if (vm.count("help") > 0) {
    std::cout << "usage: offload " << command->name << " [options]\n" << command->summary << "\n\n"
              << command_desc << "\n" << global_desc;
    return k_exit_ok;
  }
  return command->run(global, vm);
}

} // namespace offload::cli
