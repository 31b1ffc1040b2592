// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// The [framework] section of the pytest framework, checked.
struct PytestOptions {
  /// The program that starts Python: an interpreter, or a wrapper such as
  /// `uv` whose remaining words are in extra_args.
  std::string python;
  /// Words between `python` and `-m pytest`.
  std::vector<std::string> extra_args;
  /// Where discovery looks; empty lets pytest use its own configuration.
  std::vector<std::string> paths;
  /// pytest arguments for discovery and every batch alike (what changes
  /// what pytest collects or how: --doctest-modules, --import-mode, -o).
  std::vector<std::string> pytest_args;
  /// pytest arguments for runs only (never for discovery).
  std::vector<std::string> run_args;
  /// Where pytest runs, in discovery and in batches.
  std::optional<std::string> working_dir;
  /// Whether workers on the machine offload runs on are forked from one
  /// process that imported pytest (offload_pytest_forkserver.py).
  bool fork_workers = true;

  /// Reads the checked section; throws sdk::Failure(OFFLOAD_EINVAL) naming
  /// the key whose value cannot work.
  static PytestOptions from_config(std::string_view config_json);

  /// `python`, `extra_args`, then `-m pytest`.
  std::vector<std::string> pytest_command() const;
};

} // namespace offload::plugins
