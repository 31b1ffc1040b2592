// SPDX-License-Identifier: MIT
#include "default_framework.hpp"

#include "json_config.hpp"
#include "test_id.hpp"
#include "shell.hpp"
#include "template.hpp"
#include "test_matcher.hpp"

#include "map_results.hpp"

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

namespace offload::plugins {
namespace {

using plugin_support::read_request;
using plugin_support::shell_quote;

std::string_view trim(std::string_view text) {
  constexpr std::string_view space = " \t\r\n\f\v";
  const std::size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) {
    return {};
  }
  return text.substr(begin, text.find_last_not_of(space) - begin + 1);
}

std::string required_string(const nlohmann::json& config, const std::string& key) {
  std::optional<std::string> value = plugin_support::optional_string(config, key);
  if (!value || value->empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, key + " is missing or empty", key);
  }
  return *value;
}

/// An optional path option: absent is fine, empty is not.
std::optional<std::string> optional_path(const nlohmann::json& config, const std::string& key) {
  std::optional<std::string> value = plugin_support::optional_string(config, key);
  if (value && value->empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, key + " is empty; expected a path or no " + key + " at all", key);
  }
  return value;
}

std::string last_line(const std::vector<std::string>& lines) {
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (const std::string_view line = trim(*it); !line.empty()) {
      return std::string(line);
    }
  }
  return "no output";
}

} // namespace

DefaultFramework::DefaultFramework(const offload_host_v1* host, std::string_view config_json) : m_host(host) {
  const nlohmann::json config =
      plugin_support::parse_object(config_json, "default framework configuration");
  m_discover_command = required_string(config, "discover_command");
  m_run_command = required_string(config, "run_command");
  m_result_file = optional_path(config, "result_file");
  m_working_dir = optional_path(config, "working_dir");
  m_worker_command = plugin_support::optional_string(config, "worker_command");
  if (m_worker_command && trim(*m_worker_command).empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "worker_command is empty; expected a command speaking the worker protocol "
                                       "(docs/worker-protocol.md) or no worker_command at all",
                       "worker_command");
  }
  m_test_id_format = plugin_support::string_or(config, "test_id_format", "{name}");
  if (!plugin_support::has_placeholder(m_run_command, "tests")) {
    throw sdk::Failure(OFFLOAD_EINVAL, "run_command must contain {tests}, where the batch's test IDs go",
                       "run_command");
  }
  for (const char* name : {"tests", "result_file"}) {
    if (plugin_support::placeholder_in_quotes(m_run_command, name)) {
      sdk::Host(m_host).log(OFFLOAD_LOG_WARN,
                            "framework.run_command has {" + std::string(name) +
                                "} inside quotes; offload quotes each value itself, so the quotes nest and "
                                "shell syntax in a test ID could run; write {" + std::string(name) + "} bare");
    }
  }
  if (!plugin_support::has_placeholder(m_test_id_format, "name") &&
      !plugin_support::has_placeholder(m_test_id_format, "classname")) {
    throw sdk::Failure(OFFLOAD_EINVAL,
                       "test_id_format must contain {name} or {classname}, taken from each JUnit testcase",
                       "test_id_format");
  }
}

bool DefaultFramework::writes_junit() const {
  return m_result_file.has_value() || plugin_support::has_placeholder(m_run_command, "result_file");
}

std::string DefaultFramework::describe() {
  nlohmann::json description = {{"results", writes_junit() ? "junit" : "exit_code"}};
  if (m_result_file) {
    description["fixed_result_file"] = *m_result_file;
  }
  return plugin_support::json_text(description);
}

std::string DefaultFramework::discover_script(const std::string& group, const std::string& filters) const {
  if (!filters.empty() && !plugin_support::has_placeholder(m_discover_command, "filters")) {
    throw sdk::Failure(OFFLOAD_EINVAL,
                       "group '" + group + "' has filters but discover_command has no {filters} placeholder",
                       "discover_command");
  }
  // Filters are a shell fragment written by the user, so they go in unquoted.
  return plugin_support::substitute(m_discover_command, {{"filters", filters}});
}

void DefaultFramework::discover(std::string_view request, const offload_sink* tests,
                                const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "discover request");
  const auto [group, filters] = read_request("discover request", [&] {
    return std::pair(plugin_support::string_or(req, "group", ""), plugin_support::string_or(req, "filters", ""));
  });
  nlohmann::json spec = {{"argv", {"/bin/sh", "-c", discover_script(group, filters)}}};
  if (m_working_dir) {
    spec["cwd"] = *m_working_dir;
  }
  const sdk::Host host(m_host);
  sdk::Collector output;
  const int32_t status = host.run(plugin_support::json_text(spec), output.sink(), cancel);
  if (status != 0) {
    throw sdk::Failure(OFFLOAD_EIO, "discover_command exited with status " + std::to_string(status) + ": " +
                                        last_line(output.err()));
  }
  std::set<std::string, std::less<>> seen;
  for (const std::string& line : output.out()) {
    const std::string_view id = trim(line);
    if (id.empty() || id.front() == '#') {
      continue;
    }
    if (!seen.emplace(id).second) {
      host.log(OFFLOAD_LOG_WARN, "discover_command listed test '" + std::string(id) + "' twice for group '" +
                                     group + "'; it runs once");
      continue;
    }
    plugin_support::check_test_id(id);
    sdk::emit(tests, OFFLOAD_CHANNEL_DATA, plugin_support::json_text({{"id", id}}));
  }
}

std::string DefaultFramework::build_command(std::string_view request) {
  const nlohmann::json req = plugin_support::parse_object(request, "build_command request");
  const auto [tests, result_file, fail_fast] = read_request("build_command request", [&] {
    return std::tuple(plugin_support::string_list(req, "tests"),
                      plugin_support::string_or(req, "result_file", ""),
                      plugin_support::bool_or(req, "fail_fast", false));
  });
  if (tests.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed build_command request: \"tests\" is empty");
  }
  const bool junit = writes_junit();
  if (junit && result_file.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed build_command request: \"result_file\" is missing");
  }
  if (fail_fast && !m_fail_fast_noted.exchange(true)) {
    sdk::Host(m_host).log(OFFLOAD_LOG_DEBUG,
                          "fail_fast is not passed to run_command; every test of a batch runs");
  }
  const std::string run = plugin_support::substitute(
      m_run_command, {{"tests", plugin_support::shell_join(tests)}, {"result_file", shell_quote(result_file)}});

  // Steps go on lines of their own so that whatever run_command ends with
  // (a comment, a trailing "&") cannot swallow the next step.
  std::string script;
  if (m_working_dir) {
    script += "cd " + shell_quote(*m_working_dir) + " || exit\n";
  }
  if (m_result_file) {
    // The runner always writes the same path: clear what an earlier batch
    // left there, run in a subshell so an "exit" in run_command cannot skip
    // the move, and end with the runner's own status.
    script += "rm -f -- " + shell_quote(*m_result_file) + "\n";
    script += "(\n" + run + "\n)\n";
    script += "rc=$?\n";
    script += "mv -f -- " + shell_quote(*m_result_file) + " " + shell_quote(result_file) + " 2>/dev/null\n";
    script += "exit $rc";
  } else {
    script += run;
  }

  nlohmann::json command = {{"shell", script}};
  if (junit) {
    command["result_file"] = result_file;
  }
  return plugin_support::json_text(command);
}

std::string DefaultFramework::build_worker_command(std::string_view request) {
  const nlohmann::json req = plugin_support::parse_object(request, "build_worker_command request");
  const std::string scratch_dir = read_request("build_worker_command request", [&] {
    return plugin_support::string_or(req, "scratch_dir", "");
  });
  if (!m_worker_command) {
    throw sdk::Failure(OFFLOAD_ENOTSUP, "no worker_command is configured; tests run in batches");
  }
  std::string script;
  if (m_working_dir) {
    script += "cd " + shell_quote(*m_working_dir) + " || exit\n";
  }
  // On a line of its own, as run_command: nothing it ends with can swallow another step.
  script += plugin_support::substitute(*m_worker_command, {{"scratch_dir", shell_quote(scratch_dir)}});
  return plugin_support::json_text({{"shell", script}});
}

std::string DefaultFramework::map_results(std::string_view request) {
  const auto req = plugin_support::read_map_results_request(request);
  const TestMatcher matcher(req.tests);
  std::vector<std::optional<std::string>> ids;
  for (const auto& c : req.cases) {
    const std::string formatted =
        plugin_support::substitute(m_test_id_format, {{"name", c.name}, {"classname", c.classname}});
    ids.push_back(matcher.match(formatted, c.name));
  }
  return plugin_support::map_results_answer(ids);
}

} // namespace offload::plugins
