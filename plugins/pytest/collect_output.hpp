// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace offload::plugins {

/// What `pytest --collect-only --verbosity=-1` printed and how it ended.
struct CollectOutput {
  int status = 0;
  std::vector<std::string> out;
  std::vector<std::string> err;
};

/// pytest's exit status for "no tests collected": an empty selection.
inline constexpr int k_pytest_no_tests = 5;

/// The node IDs listed in `out` (the form `-q` prints), in order. Each is a whole line (IDs hold
/// spaces, brackets, quotes and non-ASCII text); the list ends at the blank
/// line after it or at a section banner, and tree lines such as
/// "<Module x.py>" are skipped.
std::vector<std::string> parse_collected_ids(const std::vector<std::string>& out);

/// True when pytest printed its collection tree (verbosity raised, e.g. by
/// -v in addopts) instead of node IDs.
bool printed_collection_tree(const std::vector<std::string>& out);

/// One line explaining a failed collection, run with interpreter `python`:
/// a missing pytest module, the files that failed to import and the first
/// error, or the status and the last thing pytest said.
std::string explain_collect_failure(const CollectOutput& output, const std::string& python);

/// True when the failure is the interpreter lacking the pytest module.
bool lacks_pytest_module(const CollectOutput& output);

} // namespace offload::plugins
