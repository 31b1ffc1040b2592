// SPDX-License-Identifier: MIT
#include "gtest_framework.hpp"

#include "junit_xml.hpp"
#include "binary_glob.hpp"
#include "gtest_list.hpp"
#include "gtest_report.hpp"
#include "json_config.hpp"
#include "test_id.hpp"
#include "shell.hpp"

#include "map_results.hpp"

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <tuple>

namespace offload::plugins {
namespace fs = std::filesystem;
using plugin_support::read_request;
using plugin_support::shell_quote;

namespace {


std::string last_line(const std::vector<std::string>& lines) {
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (std::string line = first_line(*it); !line.empty()) {
      return line;
    }
  }
  return "no output";
}

/// A group's filters as one --gtest_filter value: blank-separated patterns
/// are joined with ':' ("A.* -A.Slow" reads as "A.*:-A.Slow").
std::string gtest_filter(std::string_view filters) {
  std::string joined;
  std::size_t pos = 0;
  while (pos < filters.size()) {
    const std::size_t begin = filters.find_first_not_of(" \t\r\n", pos);
    if (begin == std::string_view::npos) {
      break;
    }
    const std::size_t end = std::min(filters.find_first_of(" \t\r\n", begin), filters.size());
    joined += (joined.empty() ? "" : ":") + std::string(filters.substr(begin, end - begin));
    pos = end;
  }
  return joined;
}

std::string join(const std::vector<std::string>& names, char separator) {
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) {
      text += separator;
    }
    text += name;
  }
  return text;
}

} // namespace

GTestFramework::GTestFramework(const offload_host_v1* host, std::string_view config_json) : m_host(host) {
  const nlohmann::json config = plugin_support::parse_object(config_json, "gtest framework configuration");
  m_patterns = plugin_support::string_list(config, "binaries");
  if (m_patterns.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "binaries is empty; expected paths or globs of GoogleTest executables",
                       "binaries");
  }
  for (const std::string& pattern : m_patterns) {
    if (pattern.empty() || pattern.find('\n') != std::string::npos) {
      throw sdk::Failure(OFFLOAD_EINVAL, "binaries holds '" + pattern + "'; expected a path or glob", "binaries");
    }
  }
  m_working_dir = plugin_support::optional_string(config, "working_dir");
  if (m_working_dir && m_working_dir->empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "working_dir is empty; expected a directory or no working_dir at all",
                       "working_dir");
  }
  m_extra_args = plugin_support::string_list(config, "extra_args");
}

std::string GTestFramework::describe() {
  return plugin_support::json_text({{"results", "junit"}});
}

const std::vector<GTestFramework::Binary>& GTestFramework::binaries() {
  const std::lock_guard lock(m_mutex);
  if (m_binaries) {
    return *m_binaries;
  }
  const std::vector<std::string> paths = expand_binaries(m_patterns, m_working_dir.value_or(""));
  std::set<std::string> names;
  for (const std::string& path : paths) {
    names.insert(fs::path(path).filename().string());
  }
  // File names make short prefixes; when two binaries share one, their
  // paths tell them apart instead.
  const bool by_name = names.size() == paths.size();
  std::vector<Binary> found;
  for (const std::string& path : paths) {
    std::string prefix;
    if (paths.size() > 1) {
      prefix = by_name ? fs::path(path).filename().string() : path;
    }
    m_by_prefix.emplace(prefix, found.size());
    found.push_back({path, prefix});
  }
  m_binaries = std::move(found);
  return *m_binaries;
}

std::vector<std::string> GTestFramework::list_tests(const Binary& binary, const std::string& filter,
                                                    const offload_cancel* cancel) {
  std::vector<std::string> argv = {binary.path};
  argv.insert(argv.end(), m_extra_args.begin(), m_extra_args.end());
  argv.emplace_back("--gtest_list_tests");
  if (!filter.empty()) {
    argv.push_back("--gtest_filter=" + filter);
  }
  nlohmann::json spec = {{"argv", argv}};
  if (m_working_dir) {
    spec["cwd"] = *m_working_dir;
  }
  sdk::Collector output;
  const int32_t status = sdk::Host(m_host).run(plugin_support::json_text(spec), output.sink(), cancel);
  if (status != 0) {
    throw sdk::Failure(OFFLOAD_EIO, binary.path + " --gtest_list_tests exited with status " + std::to_string(status) +
                                        ": " + last_line(output.err()));
  }
  // DISABLED_ tests are listed either way: without
  // --gtest_also_run_disabled_tests a batch reports them as gtest's own XML
  // does, not run, which offload reports as skipped.
  std::vector<std::string> names = parse_gtest_list(output.out(), true);
  for (const std::string& name : names) {
    if (!is_filterable(name)) {
      throw sdk::Failure(OFFLOAD_EINVAL, "test '" + name + "' of " + binary.path +
                                            " has ':', '-' or a blank in its name, so --gtest_filter cannot "
                                            "select it; rename it (e.g. its parameter name)");
    }
  }
  return names;
}

void GTestFramework::discover(std::string_view request, const offload_sink* tests, const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "discover request");
  const std::string filters =
      read_request("discover request", [&] { return plugin_support::string_or(req, "filters", ""); });
  const std::string filter = gtest_filter(filters);
  for (const Binary& binary : binaries()) {
    for (const std::string& name : list_tests(binary, filter, cancel)) {
      const std::string id = binary.prefix.empty() ? name : binary.prefix + " " + name;
      // gtest's XML names a test by its suite ("Typed/0") and its name
      // ("Works"); suite names hold no '.'. The binary leads when there are several.
      const std::size_t dot = name.find('.');
      const std::string suite = name.substr(0, dot);
      plugin_support::check_test_id(id);
      sdk::emit(tests, OFFLOAD_CHANNEL_DATA,
                plugin_support::json_text({{"id", id},
                                           {"file", binary.path},
                                           {"classname", binary.prefix.empty() ? suite : binary.prefix + "." + suite},
                                           {"name", name.substr(dot + 1)}}));
    }
  }
}

std::pair<std::size_t, std::string> GTestFramework::split_id(const std::string& id) {
  const std::vector<Binary>& all = binaries();
  if (all.size() == 1) {
    return {0, id};
  }
  // Names hold no blank, so the prefix ends at the last one.
  const std::size_t space = id.rfind(' ');
  const auto found = space == std::string::npos ? m_by_prefix.end() : m_by_prefix.find(id.substr(0, space));
  if (found == m_by_prefix.end()) {
    throw sdk::Failure(OFFLOAD_EINVAL,
                       "test ID '" + id + "' does not start with one of the binaries' names and a space");
  }
  return {found->second, id.substr(space + 1)};
}

std::string GTestFramework::build_command(std::string_view request) {
  const nlohmann::json req = plugin_support::parse_object(request, "build_command request");
  const auto [tests, result_file, fail_fast] = read_request("build_command request", [&] {
    return std::tuple(plugin_support::string_list(req, "tests"), plugin_support::string_or(req, "result_file", ""),
                      plugin_support::bool_or(req, "fail_fast", false));
  });
  if (tests.empty() || result_file.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed build_command request: \"tests\" and \"result_file\" are required");
  }
  // Each binary runs once for the whole batch, in order of first appearance.
  std::vector<std::pair<std::size_t, std::vector<std::string>>> runs;
  for (const std::string& id : tests) {
    auto [index, name] = split_id(id);
    if (!is_filterable(name)) {
      throw sdk::Failure(OFFLOAD_EINVAL, "test ID '" + id + "' cannot be written as a --gtest_filter pattern");
    }
    // A copy: clang 14 cannot capture a structured binding.
    const std::size_t binary = index;
    auto run = std::find_if(runs.begin(), runs.end(), [&](const auto& r) { return r.first == binary; });
    if (run == runs.end()) {
      run = runs.insert(runs.end(), {index, {}});
    }
    run->second.push_back(std::move(name));
  }

  const std::vector<Binary>& all = binaries();
  std::string script;
  if (m_working_dir) {
    script += "cd " + shell_quote(*m_working_dir) + " || exit 1\n";
  }
  script += "result=" + shell_quote(result_file) + "\n";
  script += "part=\"$result.part\"\n";
  script += ": > \"$result\" || exit 1\n";
  script += "status=0\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Binary& binary = all[runs[i].first];
    std::vector<std::string> argv = {binary.path};
    argv.insert(argv.end(), m_extra_args.begin(), m_extra_args.end());
    argv.push_back("--gtest_filter=" + join(runs[i].second, ':'));
    if (fail_fast) {
      argv.emplace_back("--gtest_fail_fast");
    }
    script += "rm -f \"$part\"\n";
    script += plugin_support::shell_join(argv) + " --gtest_output=json:\"$part\" || status=$?\n";
    script += "printf '%s\\n' " + shell_quote(part_marker(binary.prefix)) + " >> \"$result\"\n";
    script += "if [ -f \"$part\" ]; then cat \"$part\" >> \"$result\"; printf '\\n' >> \"$result\"; rm -f \"$part\"; fi\n";
    if (fail_fast && i + 1 < runs.size()) {
      script += "[ \"$status\" -eq 0 ] || exit \"$status\"\n";
    }
  }
  script += "exit \"$status\"";
  return plugin_support::json_text({{"shell", script}, {"result_file", result_file}});
}

std::string GTestFramework::convert_report(std::string_view data) {
  return junit_document(parse_gtest_results(data));
}

std::string GTestFramework::map_results(std::string_view request) {
  return plugin_support::map_joined_names(request, ".");
}

} // namespace offload::plugins
