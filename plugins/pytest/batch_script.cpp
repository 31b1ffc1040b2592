// SPDX-License-Identifier: MIT
#include "batch_script.hpp"

#include "shell.hpp"

#include <filesystem>

#include <offload/plugin.hpp>

#include <set>

namespace offload::plugins {

using plugin_support::shell_join;
using plugin_support::shell_quote;

void check_one_line(const std::string& id) {
  if (id.find_first_of(std::string_view("\n\0", 2)) != std::string::npos) {
    throw sdk::Failure(OFFLOAD_EINVAL, "test ID '" + id.substr(0, id.find('\n')) +
                                           "...' holds a line break or NUL; pytest node IDs are one line");
  }
}

std::string ids_heredoc(const std::string& path, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    check_one_line(id);
  }
  // A delimiter that no ID line equals.
  const std::set<std::string_view> lines(ids.begin(), ids.end());
  std::string delimiter = "OFFLOAD_TEST_IDS";
  while (lines.contains(delimiter)) {
    delimiter += '_';
  }
  // The scratch directory may be reachable by others: whatever is at the
  // path is removed first (rm never follows a symlink) and, under the
  // caller's `set -C`, the file is an O_EXCL create, never written through.
  std::string script = "rm -rf -- " + shell_quote(path) + "\n";
  script += "cat > " + shell_quote(path) + " <<'" + delimiter + "' || exit\n";
  for (const std::string& id : ids) {
    script += id;
    script += '\n';
  }
  return script + delimiter + "\n";
}

std::string source_heredoc(const std::string& dir, const std::string& name, const std::string& source,
                           const std::string& end) {
  // Made fresh and private, so nobody else's module is imported from it.
  // Its parent may not exist yet; the directory itself must be made now.
  std::string script = "rm -rf -- " + shell_quote(dir) + "\n";
  script += "mkdir -p -- " + shell_quote(std::filesystem::path(dir).parent_path().string()) + " || exit\n";
  script += "(umask 077 && mkdir -- " + shell_quote(dir) + ") || exit\n";
  return script + file_heredoc(dir + "/" + name, source, end);
}

std::string file_heredoc(const std::string& path, const std::string& source, const std::string& end) {
  if (source.find("\n" + end + "\n") != std::string::npos) {
    throw sdk::Failure(OFFLOAD_EFAULT, "the bundled " + std::filesystem::path(path).filename().string() +
                                           " holds the line " + end);
  }
  std::string script = "cat > " + shell_quote(path) + " <<'" + end + "' || exit\n";
  script += source;
  if (!source.ends_with('\n')) {
    script += '\n';
  }
  return script + end + "\n";
}

std::vector<std::string> test_files(const std::vector<std::string>& ids) {
  std::vector<std::string> files;
  std::set<std::string, std::less<>> seen;
  for (const std::string& id : ids) {
    std::string file = id.substr(0, id.find("::"));
    if (!file.empty() && seen.insert(file).second) {
      files.push_back(std::move(file));
    }
  }
  return files;
}

std::string ids_file_for(const std::string& result_file) {
  return result_file + ".ids";
}

std::string plugin_dir_for(const std::string& result_file) {
  return result_file + ".plugin";
}

std::string batch_script(const PytestOptions& options, const std::string& plugin_source, const Batch& batch) {
  const std::string ids_file = ids_file_for(batch.result_file);
  // Each step on its own line, the IDs first: they do not depend on working_dir.
  const std::string plugin_dir = plugin_dir_for(batch.result_file);
  std::string script = "set -C\n";
  script += ids_heredoc(ids_file, batch.tests);
  script += source_heredoc(plugin_dir, "offload_pytest.py", plugin_source, "OFFLOAD_PYTEST_PLUGIN");
  if (options.working_dir) {
    script += "cd " + shell_quote(*options.working_dir) + " || exit\n";
  }
  script += "set --\n";
  if (const std::vector<std::string> files = test_files(batch.tests); !files.empty()) {
    script += "for f in " + shell_join(files) + "; do\n";
    script += "  if [ -e \"$f\" ]; then set -- \"$@\" \"$f\"; fi\n";
    script += "done\n";
  }
  if (!options.paths.empty()) {
    script += "if [ $# -eq 0 ]; then set -- " + shell_join(options.paths) + "; fi\n";
  }
  script += "PYTHONPATH=" + shell_quote(plugin_dir) + "${PYTHONPATH:+:\"$PYTHONPATH\"}\n";
  script += "export PYTHONPATH\n";
  script += "set +C\n";

  std::vector<std::string> command = options.pytest_command();
  command.insert(command.end(), {"-p", "offload_pytest", "--offload-ids=" + ids_file,
                                 "--junitxml=" + batch.result_file, "-o", "junit_family=xunit1", "-q"});
  if (batch.fail_fast) {
    command.emplace_back("-x");
  }
  command.insert(command.end(), options.pytest_args.begin(), options.pytest_args.end());
  command.insert(command.end(), options.run_args.begin(), options.run_args.end());
  script += "exec " + shell_join(command) + " \"$@\"\n";
  return script;
}

} // namespace offload::plugins
