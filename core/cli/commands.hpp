// SPDX-License-Identifier: MIT
#pragma once

#include "cli/context.hpp"
#include "model/test_model.hpp"

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace offload::cli {

namespace po = boost::program_options;

/// One subcommand: its options, and what it does with them.
struct Command {
  const char* name;
  const char* summary;
  void (*add_options)(po::options_description&);
  int (*run)(const GlobalOptions&, const po::variables_map&);
};

/// Every subcommand, in the order `offload --help` lists them.
const std::vector<Command>& commands();

/// Exit codes shared by all commands.
enum ExitCode : int {
  k_exit_ok = 0,
  k_exit_failed = 1,      ///< failed or not-run tests, or an error
  k_exit_flaky = 2,       ///< everything passed, some only on a retry
  k_exit_interrupted = 130,
};

int cmd_run(const GlobalOptions&, const po::variables_map&);
void add_run_options(po::options_description&);
int cmd_collect(const GlobalOptions&, const po::variables_map&);
/// The text listing of `collect` (and `run --collect-only`): tests by group.
void print_collection(const std::vector<TestCase>& tests, const std::vector<config::Group>& groups);
void add_collect_options(po::options_description&);
int cmd_validate(const GlobalOptions&, const po::variables_map&);
int cmd_init(const GlobalOptions&, const po::variables_map&);
void add_init_options(po::options_description&);
int cmd_plugins(const GlobalOptions&, const po::variables_map&);
int cmd_logs(const GlobalOptions&, const po::variables_map&);
void add_logs_options(po::options_description&);

/// Runs offload with the given command line; returns the exit code.
int main_with_args(int argc, char** argv);

} // namespace offload::cli
