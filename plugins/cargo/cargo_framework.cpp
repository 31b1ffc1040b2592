// SPDX-License-Identifier: MIT
#include "cargo_framework.hpp"

#include "cargo_support.hpp"
#include "doctests.hpp"
#include "json_config.hpp"
#include "test_id.hpp"
#include "libtest_report.hpp"
#include "nextest.hpp"
#include "shell.hpp"
#include "shell_split.hpp"
#include "test_filter.hpp"

#include "map_results.hpp"

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <set>
#include <tuple>
#include <utility>

namespace offload::plugins {
namespace fs = std::filesystem;
using plugin_support::read_request;
using plugin_support::shell_quote;

namespace {

/// An optional string option: absent is fine, empty is not.
std::optional<std::string> optional_nonempty(const nlohmann::json& config, const std::string& key,
                                             std::string_view expected) {
  std::optional<std::string> value = plugin_support::optional_string(config, key);
  if (value && value->empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL,
                       key + " is empty; expected " + std::string(expected) + " or no " + key + " at all", key);
  }
  return value;
}

} // namespace

CargoFramework::CargoFramework(const offload_host_v1* host, std::string_view config_json) : m_host(host) {
  const nlohmann::json config = plugin_support::parse_object(config_json, "cargo framework configuration");
  m_cargo = shell_words(plugin_support::string_or(config, "cargo", "cargo"), "cargo", "cargo");
  if (m_cargo.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "cargo is empty; expected the cargo command, e.g. \"cargo\"", "cargo");
  }
  m_package = optional_nonempty(config, "package", "a package name");
  m_features = plugin_support::string_list(config, "features");
  for (const std::string& feature : m_features) {
    if (feature.empty() || feature.find_first_of(", ") != std::string::npos) {
      throw sdk::Failure(OFFLOAD_EINVAL, "features holds '" + feature + "'; expected one feature name per entry",
                         "features");
    }
  }
  m_include_ignored = plugin_support::bool_or(config, "include_ignored", false);
  m_working_dir = optional_nonempty(config, "working_dir", "the directory of Cargo.toml");
  m_base = fs::absolute(m_working_dir ? fs::path(*m_working_dir) : fs::current_path()).lexically_normal();
  if (!m_base.has_filename() && m_base != m_base.root_path()) {
    m_base = m_base.parent_path();
  }

  // Probing must not fail creation: without cargo, discovery says so later.
  std::vector<std::string> probe = m_cargo;
  probe.insert(probe.end(), {"nextest", "--version"});
  nlohmann::json spec = {{"argv", probe}, {"timeout_ms", 60000}};
  if (m_working_dir) {
    spec["cwd"] = *m_working_dir;
  }
  const std::string text = plugin_support::json_text(spec);
  int32_t status = -1;
  m_nextest = host->process_run(host, text.data(), text.size(), nullptr, nullptr, &status, nullptr) == OFFLOAD_OK &&
              status == 0;
  sdk::Host(host).log(OFFLOAD_LOG_DEBUG, m_nextest ? "cargo-nextest found: tests run through cargo nextest"
                                                   : "cargo-nextest not found: tests run through cargo test's binaries");
}

std::string CargoFramework::describe() {
  return plugin_support::json_text({{"results", "junit"}});
}

std::vector<std::string> CargoFramework::selection_args() const {
  std::vector<std::string> args;
  if (m_package) {
    args.insert(args.end(), {"-p", *m_package});
  }
  if (!m_features.empty()) {
    args.insert(args.end(), {"--features", join(m_features, ",")});
  }
  return args;
}

std::string CargoFramework::cargo_spec(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = m_cargo;
  argv.insert(argv.end(), args.begin(), args.end());
  nlohmann::json spec = {{"argv", argv}};
  if (m_working_dir) {
    spec["cwd"] = *m_working_dir;
  }
  return plugin_support::json_text(spec);
}

void CargoFramework::build_and_list(const offload_cancel* cancel) {
  std::vector<std::string> args = {"test", "--no-run", "--message-format=json-render-diagnostics"};
  const std::vector<std::string> selection = selection_args();
  args.insert(args.end(), selection.begin(), selection.end());
  const nlohmann::json spec = nlohmann::json::parse(cargo_spec(args));
  const sdk::Host host(m_host);
  host.log(OFFLOAD_LOG_INFO, "building the test binaries: " +
                                 plugin_support::shell_join(spec["argv"].get<std::vector<std::string>>()));
  sdk::Collector build;
  const int32_t status = run(m_host, spec, build, cancel, "cargo test --no-run");
  if (status != 0) {
    throw sdk::Failure(OFFLOAD_EIO, "cargo test --no-run exited with status " + std::to_string(status) + ": " +
                                        cargo_reason(build.err()));
  }
  TestArtifacts artifacts = parse_test_artifacts(build.out());
  for (const std::string& target : artifacts.without_harness) {
    host.log(OFFLOAD_LOG_WARN, "test target '" + target +
                                   "' has harness = false; offload cannot list its tests and does not run it");
  }
  for (TestBinary& binary : artifacts.binaries) {
    if (m_by_id.count(binary.binary_id) != 0) {
      continue; // cargo reports an artifact again when a later unit needs it
    }
    const nlohmann::json list = {{"argv", {binary.executable, "--list", "--format", "terse"}},
                                 {"cwd", binary.package_dir}};
    sdk::Collector listing;
    const std::string what = "listing the tests of " + binary.binary_id + " (" + binary.executable + ")";
    const int32_t listed = run(m_host, list, listing, cancel, what);
    if (listed != 0) {
      throw sdk::Failure(OFFLOAD_EIO, what + " exited with status " + std::to_string(listed) + ": " +
                                          cargo_reason(listing.err()));
    }
    binary.tests = parse_test_list(listing.out());
    std::optional<TestBinary> doctests;
    if (binary.kind == "lib") {
      doctests = list_doctests(binary, cancel);
    }
    m_by_id.emplace(binary.binary_id, m_binaries.size());
    m_binaries.push_back(std::move(binary));
    if (doctests && !doctests->tests.empty()) {
      m_by_id.emplace(doctests->binary_id, m_binaries.size());
      m_binaries.push_back(std::move(*doctests));
    }
  }
}

std::vector<std::string> CargoFramework::doctest_args(const TestBinary& doctests) const {
  std::vector<std::string> args = {"test", "--doc", "-p", doctest_package(doctests)};
  if (!m_features.empty()) {
    args.insert(args.end(), {"--features", join(m_features, ",")});
  }
  args.emplace_back("--");
  return args;
}

TestBinary CargoFramework::list_doctests(const TestBinary& library, const offload_cancel* cancel) const {
  TestBinary doctests = doctest_binary(library);
  std::vector<std::string> args = doctest_args(doctests);
  args.insert(args.end(), {"--list", "--format", "terse"});
  const nlohmann::json spec = nlohmann::json::parse(cargo_spec(args));
  sdk::Collector listing;
  const std::string what = "listing the doctests of " + library.binary_id;
  const int32_t status = run(m_host, spec, listing, cancel, what);
  if (status != 0) {
    throw sdk::Failure(OFFLOAD_EIO,
                       what + " exited with status " + std::to_string(status) + ": " + cargo_reason(listing.err()));
  }
  doctests.tests = parse_test_list(listing.out());
  return doctests;
}

const std::vector<TestBinary>& CargoFramework::built_binaries(const offload_cancel* cancel) {
  const std::lock_guard lock(m_mutex);
  if (!m_built) {
    try {
      build_and_list(cancel);
    } catch (const sdk::Failure& failure) {
      m_build_error = failure.what();
      m_binaries.clear();
      m_by_id.clear();
    }
    m_built = true;
  }
  if (m_build_error) {
    throw sdk::Failure(OFFLOAD_EIO, *m_build_error);
  }
  return m_binaries;
}

std::vector<std::string> CargoFramework::discover_with_nextest(const std::string& filters, const std::string& what,
                                                               const offload_cancel* cancel) {
  std::vector<std::string> args = {"nextest", "list", "--message-format", "json"};
  const std::vector<std::string> selection = selection_args();
  args.insert(args.end(), selection.begin(), selection.end());
  if (m_include_ignored) {
    args.insert(args.end(), {"--run-ignored", "all"});
  }
  const std::vector<std::string> words = shell_words(filters, what);
  args.insert(args.end(), words.begin(), words.end());
  sdk::Collector output;
  const int32_t status = run(m_host, nlohmann::json::parse(cargo_spec(args)), output, cancel, "cargo nextest list");
  if (status != 0) {
    throw sdk::Failure(OFFLOAD_EIO, "cargo nextest list exited with status " + std::to_string(status) + ": " +
                                        cargo_reason(output.err()));
  }
  // The listing is one JSON document, possibly after other lines.
  for (auto it = output.out().rbegin(); it != output.out().rend(); ++it) {
    if (it->starts_with('{')) {
      return parse_nextest_list(*it);
    }
  }
  return parse_nextest_list("");
}

void CargoFramework::discover(std::string_view request, const offload_sink* tests, const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "discover request");
  const std::string filters =
      read_request("discover request", [&] { return plugin_support::string_or(req, "filters", ""); });
  // The host names the group in front of any discovery error.
  const std::string what = "filters";
  std::vector<std::string> ids;
  if (m_nextest) {
    ids = discover_with_nextest(filters, what, cancel);
  } else {
    const TestFilter filter(shell_words(filters, what), what);
    for (const TestBinary& binary : built_binaries(cancel)) {
      for (const std::string& test : binary.tests) {
        if (filter.selects(binary, test)) {
          ids.push_back(binary.binary_id + " " + test);
        }
      }
    }
  }
  for (const std::string& id : ids) {
    // The test binary, so a batch starts as few binaries as balance allows.
    const std::string binary = id.substr(0, id.find(' '));
    plugin_support::check_test_id(id);
    const CaseName junit = case_name(binary, std::string_view(id).substr(binary.size() + 1));
    sdk::emit(tests, OFFLOAD_CHANNEL_DATA,
              plugin_support::json_text(
                  {{"id", id}, {"file", binary}, {"classname", junit.classname}, {"name", junit.name}}));
  }
}

std::string CargoFramework::script_path(const std::string& path) const {
  const fs::path relative = fs::path(path).lexically_normal().lexically_relative(m_base);
  if (relative.empty() || *relative.begin() == "..") {
    return shell_quote(path);
  }
  return relative == "." ? "\"$base\"" : "\"$base\"/" + shell_quote(relative.string());
}

std::string CargoFramework::libtest_script(const std::vector<std::string>& tests, const std::string& result_file,
                                           bool fail_fast) {
  const auto batch = by_binary(tests);
  std::vector<const TestBinary*> binaries;
  {
    const std::lock_guard lock(m_mutex);
    for (const auto& [binary_id, names] : batch) {
      const auto found = m_by_id.find(binary_id);
      if (found == m_by_id.end()) {
        throw sdk::Failure(OFFLOAD_EINVAL, "test ID '" + binary_id + " " + names.front() + "' names test binary '" +
                                               binary_id + "', which discovery did not build");
      }
      binaries.push_back(&m_binaries[found->second]);
    }
  }
  std::string script;
  if (m_working_dir) {
    script += "cd " + shell_quote(*m_working_dir) + " || exit 1\n";
  }
  script += "base=$PWD\n";
  script += "result=" + shell_quote(result_file) + "\n";
  script += ": > \"$result\" || exit 1\n";
  script += "status=0\n";
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const TestBinary& binary = *binaries[i];
    if (binary.kind == k_doctest_kind) {
      script += doctest_step(binary, batch[i].second);
      if (fail_fast && i + 1 < batch.size()) {
        script += "[ \"$status\" -eq 0 ] || exit \"$status\"\n";
      }
      continue;
    }
    std::vector<std::string> args = {"--exact"};
    args.insert(args.end(), batch[i].second.begin(), batch[i].second.end());
    if (m_include_ignored) {
      args.emplace_back("--include-ignored");
    }
    // libtest's JSON events are unstable on stable Rust; RUSTC_BOOTSTRAP=1 is
    // the documented switch that lets the test binary accept them.
    args.insert(args.end(), {"-Z", "unstable-options", "--format", "json", "--report-time"});
    script += "printf '%s\\n' " + shell_quote(binary_marker(binary.binary_id)) + " >> \"$result\"\n";
    // A sandbox that copied the project without target/ (local_sandbox.sh
    // leaves it out) on this machine still has the binary discovery built.
    script += "exe=" + script_path(binary.executable) + "\n";
    script += "[ -x \"$exe\" ] || exe=" + shell_quote(binary.executable) + "\n";
    script += "(cd " + script_path(binary.package_dir) +
              " && CARGO_MANIFEST_DIR=$PWD RUSTC_BOOTSTRAP=1 exec \"$exe\" " +
              plugin_support::shell_join(args) + ") >> \"$result\" || status=$?\n";
    if (fail_fast && i + 1 < batch.size()) {
      script += "[ \"$status\" -eq 0 ] || exit \"$status\"\n";
    }
  }
  script += "exit \"$status\"";
  return script;
}

std::string CargoFramework::doctest_step(const TestBinary& doctests, const std::vector<std::string>& names) const {
  std::vector<std::string> argv = m_cargo;
  const std::vector<std::string> args = doctest_args(doctests);
  argv.insert(argv.end(), args.begin(), args.end());
  const std::vector<std::string> words = doctest_filter_args(names);
  argv.insert(argv.end(), words.begin(), words.end());
  if (m_include_ignored) {
    argv.emplace_back("--include-ignored");
  }
  argv.insert(argv.end(), {"-Z", "unstable-options", "--format", "json", "--report-time"});
  std::string step = "printf '%s\\n' " + shell_quote(binary_marker(doctests.binary_id)) + " " +
                     shell_quote(only_marker(names)) + " >> \"$result\"\n";
  step += "(RUSTC_BOOTSTRAP=1 exec " + plugin_support::shell_join(argv) + ") >> \"$result\" || status=$?\n";
  return step;
}

std::string CargoFramework::nextest_script(const std::vector<std::string>& tests, const std::string& result_file,
                                           bool fail_fast) const {
  std::vector<std::string> args = m_cargo;
  args.insert(args.end(), {"nextest", "run", fail_fast ? "--fail-fast" : "--no-fail-fast"});
  const std::string config_file = result_file + ".nextest.toml";
  std::string script;
  if (m_working_dir) {
    script += "cd " + shell_quote(*m_working_dir) + " || exit 1\n";
  }
  script += "printf '%s' " + shell_quote(nextest_junit_config(result_file)) + " > " + shell_quote(config_file) +
            " || exit 1\n";
  args.insert(args.end(), {"--config-file", config_file});
  const std::vector<std::string> selection = selection_args();
  args.insert(args.end(), selection.begin(), selection.end());
  if (m_include_ignored) {
    args.insert(args.end(), {"--run-ignored", "all"});
  }
  args.insert(args.end(), {"-E", nextest_filterset(tests)});
  script += "exec " + plugin_support::shell_join(args);
  return script;
}

std::string CargoFramework::build_command(std::string_view request) {
  const nlohmann::json req = plugin_support::parse_object(request, "build_command request");
  const auto [tests, result_file, fail_fast] = read_request("build_command request", [&] {
    return std::tuple(plugin_support::string_list(req, "tests"), plugin_support::string_or(req, "result_file", ""),
                      plugin_support::bool_or(req, "fail_fast", false));
  });
  if (tests.empty() || result_file.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed build_command request: \"tests\" and \"result_file\" are required");
  }
  const std::string script =
      m_nextest ? nextest_script(tests, result_file, fail_fast) : libtest_script(tests, result_file, fail_fast);
  return plugin_support::json_text({{"shell", script}, {"result_file", result_file}});
}

std::string CargoFramework::convert_report(std::string_view data) {
  const std::size_t start = data.find_first_not_of(" \t\r\n");
  if (start != std::string_view::npos && data[start] == '<') {
    return std::string(data); // nextest writes JUnit itself
  }
  return junit_document(parse_libtest_results(data));
}

std::string CargoFramework::map_results(std::string_view request) {
  return plugin_support::map_joined_names(request, " ");
}

} // namespace offload::plugins
