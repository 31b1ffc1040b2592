// SPDX-License-Identifier: MIT
#include "pytest_options.hpp"

#include "json_config.hpp"

#include <offload/plugin.hpp>

#include <filesystem>
#include <system_error>

namespace offload::plugins {
namespace {

bool starts_with_any(const std::string& word, std::initializer_list<std::string_view> prefixes) {
  for (const std::string_view prefix : prefixes) {
    if (word.starts_with(prefix)) {
      return true;
    }
  }
  return false;
}

void check_python(const std::string& python) {
  if (python.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "python is empty; expected an interpreter with pytest, e.g. /usr/bin/python3",
                       "python");
  }
  // "uv run python" in one string is a common slip; a real path with a
  // space in it is still accepted.
  std::error_code ec;
  if (python.find(' ') != std::string::npos && !std::filesystem::exists(python, ec)) {
    throw sdk::Failure(OFFLOAD_EINVAL,
                       "python '" + python +
                           "' is not one program; put the program in python and the rest of its words in "
                           "extra_args, e.g. python = \"uv\", extra_args = [\"run\", \"--with=pytest\", \"python\"]",
                       "python");
  }
}

void check_extra_args(const std::vector<std::string>& extra_args) {
  const std::size_t n = extra_args.size();
  if (n >= 2 && extra_args[n - 2] == "-m" && extra_args[n - 1] == "pytest") {
    throw sdk::Failure(OFFLOAD_EINVAL, "extra_args ends with \"-m\", \"pytest\", which offload adds itself; remove them",
                       "extra_args");
  }
}

void check_paths(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    if (path.empty()) {
      throw sdk::Failure(OFFLOAD_EINVAL, "paths holds an empty string; expected files or directories of tests",
                         "paths");
    }
    if (path.front() == '-') {
      throw sdk::Failure(OFFLOAD_EINVAL,
                         "paths holds the option '" + path + "'; paths are files or directories, options go in "
                                                             "extra_args or run_args",
                         "paths");
    }
  }
}

void check_run_args(const std::vector<std::string>& run_args, const std::string& key) {
  for (const std::string& arg : run_args) {
    if (starts_with_any(arg, {"--junitxml", "--junit-xml", "--offload-"})) {
      throw sdk::Failure(OFFLOAD_EINVAL,
                         key + " holds '" + arg + "', which offload sets itself for every batch; remove it", key);
    }
  }
}

/// Discovery reads the node IDs that verbosity -1 prints; anything that
/// changes the verbosity or the mode belongs in run_args.
void check_pytest_args(const std::vector<std::string>& args) {
  check_run_args(args, "pytest_args");
  for (const std::string& arg : args) {
    // -v, -vv, -q, -qq, --verbose, --verbosity=N, --quiet
    const bool repeated_flag = arg.size() >= 2 && arg[0] == '-' && (arg[1] == 'v' || arg[1] == 'q') &&
                               arg.find_first_not_of(arg[1], 1) == std::string::npos;
    const bool verbosity = repeated_flag || arg.starts_with("--verbos") || arg == "--quiet";
    if (verbosity || arg == "--collect-only" || arg == "--co") {
      throw sdk::Failure(OFFLOAD_EINVAL,
                         "pytest_args holds '" + arg +
                             "', which would change how discovery lists tests; put it in run_args (batches only)",
                         "pytest_args");
    }
  }
}

} // namespace

PytestOptions PytestOptions::from_config(std::string_view config_json) {
  const nlohmann::json config = plugin_support::parse_object(config_json, "pytest framework configuration");
  PytestOptions options;
  options.python = plugin_support::string_or(config, "python", "python3");
  options.extra_args = plugin_support::string_list(config, "extra_args");
  options.paths = plugin_support::string_list(config, "paths");
  options.pytest_args = plugin_support::string_list(config, "pytest_args");
  options.run_args = plugin_support::string_list(config, "run_args");
  options.working_dir = plugin_support::optional_string(config, "working_dir");
  options.fork_workers = plugin_support::bool_or(config, "fork_workers", true);
  check_python(options.python);
  check_extra_args(options.extra_args);
  check_paths(options.paths);
  check_pytest_args(options.pytest_args);
  check_run_args(options.run_args, "run_args");
  if (options.working_dir && options.working_dir->empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "working_dir is empty; expected a directory or no working_dir at all",
                       "working_dir");
  }
  return options;
}

std::vector<std::string> PytestOptions::pytest_command() const {
  std::vector<std::string> command{python};
  command.insert(command.end(), extra_args.begin(), extra_args.end());
  command.emplace_back("-m");
  command.emplace_back("pytest");
  return command;
}

} // namespace offload::plugins
