// SPDX-License-Identifier: MIT
#include "vitest_framework.hpp"

#include "json_config.hpp"
#include "junit_xml.hpp"
#include "map_results.hpp"
#include "shell.hpp"
#include "shell_split.hpp"
#include "vitest_report.hpp"

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>
#include <tuple>

namespace offload::plugins {
namespace fs = std::filesystem;
using plugin_support::read_request;
using plugin_support::shell_join;
using plugin_support::shell_quote;

namespace {

void check_args(const std::vector<std::string>& args, const std::string& key) {
  for (const std::string& arg : args) {
    if (arg.starts_with("--reporter") || arg.starts_with("--outputFile") || arg.starts_with("--testNamePattern") ||
        arg == "-t") {
      throw sdk::Failure(OFFLOAD_EINVAL, key + " holds '" + arg + "', which offload sets itself for every batch",
                         key);
    }
  }
}

/// The JSON array `vitest list --json` printed, which may follow other lines.
nlohmann::json listing(const std::vector<std::string>& out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (!out[i].starts_with('[')) {
      continue;
    }
    std::string text;
    for (std::size_t j = i; j < out.size(); ++j) {
      text += out[j] + "\n";
    }
    nlohmann::json parsed = nlohmann::json::parse(valid_utf8(text), nullptr, false);
    if (parsed.is_array()) {
      return parsed;
    }
  }
  throw sdk::Failure(OFFLOAD_EIO, "vitest list --json printed no JSON array of tests");
}

std::string last_words(const std::vector<std::string>& lines) {
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (std::string line = first_line(*it); !line.empty()) {
      return line;
    }
  }
  return "no output";
}

} // namespace

VitestFramework::VitestFramework(const offload_host_v1* host, std::string_view config_json) : m_host(host) {
  const nlohmann::json config = plugin_support::parse_object(config_json, "vitest framework configuration");
  m_command = plugin_support::string_list(config, "command");
  if (!config.contains("command")) {
    m_command = {"npx", "vitest"};
  }
  if (m_command.empty() || m_command.front().empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "command is empty; expected the words that start vitest, e.g. [\"npx\", \"vitest\"]",
                       "command");
  }
  m_vitest_args = plugin_support::string_list(config, "vitest_args");
  m_run_args = plugin_support::string_list(config, "run_args");
  check_args(m_vitest_args, "vitest_args");
  check_args(m_run_args, "run_args");
  m_working_dir = plugin_support::optional_string(config, "working_dir");
  if (m_working_dir && m_working_dir->empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "working_dir is empty; expected a directory or no working_dir at all",
                       "working_dir");
  }
}

std::string VitestFramework::describe() {
  return plugin_support::json_text({{"results", "junit"}});
}

void VitestFramework::discover(std::string_view request, const offload_sink* tests, const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "discover request");
  const auto [group, filters] = read_request("discover request", [&] {
    return std::pair(plugin_support::string_or(req, "group", ""), plugin_support::string_or(req, "filters", ""));
  });
  std::vector<std::string> filter_words;
  try {
    filter_words = plugin_support::shell_split(filters);
  } catch (const sdk::Failure& failure) {
    throw sdk::Failure(OFFLOAD_EINVAL, std::string("filters: ") + failure.what());
  }
  const fs::path root = vitest_root();
  std::vector<std::string> args = {"list"};
  args.insert(args.end(), m_vitest_args.begin(), m_vitest_args.end());
  args.insert(args.end(), filter_words.begin(), filter_words.end());
  // Last: `--json WORD` would take WORD as the file to write the list to.
  args.emplace_back("--json");
  sdk::Collector output;
  const int32_t status = run_vitest(args, output, cancel);
  if (status != 0) {
    throw sdk::Failure(OFFLOAD_EIO, "vitest list exited with status " + std::to_string(status) + ": " +
                                        last_words(output.err().empty() ? output.out() : output.err()));
  }
  const sdk::Host host(m_host);
  std::set<std::string> seen;
  for (const auto& test : listing(output.out())) {
    const std::string name = test.is_object() ? plugin_support::string_or(test, "name", "") : "";
    const std::string file = test.is_object() ? plugin_support::string_or(test, "file", "") : "";
    if (name.empty() || file.empty()) {
      continue;
    }
    const std::string relative = fs::path(file).lexically_normal().lexically_relative(root.lexically_normal()).string();
    const std::string id = relative + std::string(k_vitest_separator) + name;
    if (!seen.insert(id).second) {
      host.log(OFFLOAD_LOG_WARN, "vitest lists '" + id + "' twice in group '" + group +
                                     "'; both run under that one ID, and the worse verdict counts");
      continue;
    }
    emit_test(tests, relative, name);
  }
  discover_skipped(filter_words, seen, tests, cancel);
}

// `vitest list` leaves out the tests skipped in the source (it.skip, it.todo,
// describe.skip), which vitest's own run reports as skipped. A run whose name
// pattern matches nothing reports every test of the files as skipped without
// running a test or a hook: the ones the listing lacks are those.
void VitestFramework::discover_skipped(const std::vector<std::string>& filters, std::set<std::string>& seen,
                                       const offload_sink* tests, const offload_cancel* cancel) {
  const sdk::Host host(m_host);
  for (const std::string& word : filters) {
    if (word == "-t" || word.starts_with("-t=") || word.starts_with("--testNamePattern")) {
      // The run's own pattern would replace the group's: skipped tests of
      // any name would come in.
      return;
    }
  }
  std::vector<std::string> args = {"run", "--reporter=junit", "--testNamePattern=(?!)", "--passWithNoTests"};
  args.insert(args.end(), m_vitest_args.begin(), m_vitest_args.end());
  args.insert(args.end(), filters.begin(), filters.end());
  sdk::Collector output;
  const int32_t status = run_vitest(args, output, cancel);
  // With no output file, vitest's JUnit reporter prints the XML alone on stdout.
  const auto& out = output.out();
  const auto start = std::find_if(out.begin(), out.end(), [](const std::string& line) {
    return line.starts_with("<?xml") || line.starts_with("<testsuites");
  });
  std::string xml;
  for (auto it = start; it != out.end(); ++it) {
    xml += *it + "\n";
  }
  std::vector<JUnitSuite> suites;
  try {
    suites = read_vitest_junit(xml);
  } catch (const sdk::Failure&) {
    xml.clear();
  }
  if (status != 0 || xml.empty()) {
    const std::string why = status != 0 ? "exited with status " + std::to_string(status) + ": " +
                                              last_words(output.err().empty() ? output.out() : output.err())
                                        : "printed no JUnit report";
    host.log(OFFLOAD_LOG_WARN, "tests skipped in the source are left out: the vitest run that finds them " + why);
    return;
  }
  for (const JUnitSuite& suite : suites) {
    for (const JUnitResult& result : suite.results) {
      if (seen.insert(result.classname + std::string(k_vitest_separator) + result.name).second) {
        emit_test(tests, result.classname, result.name);
      }
    }
  }
}

void VitestFramework::emit_test(const offload_sink* tests, const std::string& file, const std::string& name) {
  const std::string id = file + std::string(k_vitest_separator) + name;
  sdk::emit(tests, OFFLOAD_CHANNEL_DATA,
            plugin_support::json_text({{"id", id}, {"file", file}, {"classname", file}, {"name", name}}));
}

fs::path VitestFramework::vitest_root() const {
  std::error_code ec;
  if (!m_working_dir) {
    return fs::current_path(ec);
  }
  if (!fs::is_directory(*m_working_dir, ec)) {
    throw sdk::Failure(OFFLOAD_EINVAL, "working_dir '" + *m_working_dir + "' is not a directory", "working_dir");
  }
  return fs::absolute(*m_working_dir, ec);
}

int32_t VitestFramework::run_vitest(const std::vector<std::string>& args, sdk::Collector& output,
                                    const offload_cancel* cancel) const {
  std::vector<std::string> argv = m_command;
  argv.insert(argv.end(), args.begin(), args.end());
  // No colours or interactive output: what it prints is parsed.
  nlohmann::json spec = {{"argv", argv}, {"env", {{"CI", "true"}, {"NO_COLOR", "1"}}}};
  if (m_working_dir) {
    spec["cwd"] = *m_working_dir;
  }
  try {
    return sdk::Host(m_host).run(plugin_support::json_text(spec), output.sink(), cancel);
  } catch (const sdk::Failure& failure) {
    if (failure.code() != OFFLOAD_ENOENT) {
      throw;
    }
    throw sdk::Failure(OFFLOAD_ENOENT, "'" + m_command.front() + "' cannot be executed; install Node.js, or set command",
                       "command");
  }
}

std::string VitestFramework::build_command(std::string_view request) {
  const nlohmann::json req = plugin_support::parse_object(request, "build_command request");
  const auto [tests, result_file, fail_fast] = read_request("build_command request", [&] {
    return std::tuple(plugin_support::string_list(req, "tests"), plugin_support::string_or(req, "result_file", ""),
                      plugin_support::bool_or(req, "fail_fast", false));
  });
  if (tests.empty() || result_file.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed build_command request: \"tests\" and \"result_file\" are required");
  }
  std::vector<std::string> files;
  std::set<std::string> patterns;
  for (const std::string& id : tests) {
    const std::size_t separator = id.find(k_vitest_separator);
    if (separator == std::string::npos || separator == 0) {
      throw sdk::Failure(OFFLOAD_EINVAL, "test ID '" + id + "' is not '<file> > <test name>'");
    }
    std::string file = id.substr(0, separator);
    if (std::find(files.begin(), files.end(), file) == files.end()) {
      files.push_back(std::move(file));
    }
    patterns.insert(name_pattern(std::string_view(id).substr(separator + k_vitest_separator.size())));
  }
  std::string pattern = "^(?:";
  for (const std::string& alternative : patterns) {
    pattern += (pattern.size() > 4 ? "|" : "") + alternative;
  }
  pattern += ")$";
  const std::string junit = result_file + ".junit.xml";
  std::vector<std::string> argv = m_command;
  argv.insert(argv.end(), {"run", "--reporter=verbose", "--reporter=junit", "--outputFile.junit=" + junit,
                           "--testNamePattern=" + pattern});
  if (fail_fast) {
    argv.emplace_back("--bail=1");
  }
  argv.insert(argv.end(), m_vitest_args.begin(), m_vitest_args.end());
  argv.insert(argv.end(), m_run_args.begin(), m_run_args.end());
  // Files are filters of vitest's own (parts of paths): the report keeps
  // only the asked tests of whatever files they select.
  argv.insert(argv.end(), files.begin(), files.end());

  std::string script;
  if (m_working_dir) {
    script += "cd " + shell_quote(*m_working_dir) + " || exit 1\n";
  }
  script += "printf '%s\\n' " + shell_quote(wanted_marker(tests)) + " > " + shell_quote(result_file) + " || exit 1\n";
  script += "rm -f " + shell_quote(junit) + "\n";
  script += "CI=true NO_COLOR=1 " + shell_join(argv) + "\n";
  script += "status=$?\n";
  script += "if [ -f " + shell_quote(junit) + " ]; then cat " + shell_quote(junit) + " >> " +
            shell_quote(result_file) + "; fi\n";
  script += "exit \"$status\"";
  return plugin_support::json_text({{"shell", script}, {"result_file", result_file}});
}

std::string VitestFramework::convert_report(std::string_view data) {
  return convert_vitest_report(data);
}

std::string VitestFramework::map_results(std::string_view request) {
  return plugin_support::map_joined_names(request, k_vitest_separator);
}

} // namespace offload::plugins
