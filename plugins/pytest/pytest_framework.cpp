// SPDX-License-Identifier: MIT
#include "pytest_framework.hpp"

#include "batch_script.hpp"
#include "collect_output.hpp"
#include "json_config.hpp"
#include "node_id_matcher.hpp"
#include "shell_split.hpp"
#include "temp_lines_file.hpp"
#include "test_id.hpp"
#include "worker_script.hpp"

#include "map_results.hpp"

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <system_error>
#include <tuple>
#include <utility>

namespace offload::plugins {
namespace {

using plugin_support::read_request;

constexpr const char* k_bundled_plugin = "offload_pytest.py";
constexpr const char* k_bundled_worker = "offload_pytest_worker.py";
constexpr const char* k_bundled_fork_server = "offload_pytest_forkserver.py";
/// How long a server started by discovery waits for the first worker: a
/// sandbox's creation and first command (a remote round trip) come between.
constexpr const char* k_discovery_linger = "--linger=3";

/// The group's filters as words; the host names the group of a failure.
std::vector<std::string> filter_words(const std::string& filters) {
  try {
    return plugin_support::shell_split(filters);
  } catch (const sdk::Failure& failure) {
    throw sdk::Failure(OFFLOAD_EINVAL, std::string("filters: ") + failure.what());
  }
}

/// The text of a bundled script, which the sandbox may not have: commands carry it.
std::string bundled_source(const offload_host_v1* host, const char* name) {
  const std::filesystem::path path = sdk::Host(host).bundled_script(name);
  std::ifstream in(path, std::ios::binary);
  std::string source(std::istreambuf_iterator<char>(in), {});
  if (!in || source.empty()) {
    throw sdk::Failure(OFFLOAD_ENOENT, "cannot read the bundled pytest plugin " + path.string());
  }
  return source;
}

} // namespace

PytestFramework::PytestFramework(const offload_host_v1* host, std::string_view config_json)
    : m_host(host), m_options(PytestOptions::from_config(config_json)),
      m_plugin_source(bundled_source(host, k_bundled_plugin)),
      m_worker_sources{bundled_source(host, k_bundled_worker),
                       m_options.fork_workers ? bundled_source(host, k_bundled_fork_server) : std::string()},
      // Absolute: discovery runs pytest in working_dir.
      m_plugin_dir(std::filesystem::absolute(sdk::Host(host).bundled_script(k_bundled_plugin)).parent_path().string()) {}

std::string PytestFramework::describe() {
  // The worker reports each file it collects with its tests, and takes
  // files to collect: with discover's "files_only" the host lists files
  // here and lets the workers' collection stand for the rest.
  return plugin_support::json_text({{"results", "junit"}, {"worker_discovery", true}});
}

std::vector<std::string> PytestFramework::discover_argv(const std::string& filters) const {
  std::vector<std::string> argv = m_options.pytest_command();
  argv.emplace_back("--collect-only");
  // Not -q: it adds to addopts' -q or -v, and only verbosity -1 prints node IDs.
  argv.emplace_back("--verbosity=-1");
  argv.insert(argv.end(), m_options.pytest_args.begin(), m_options.pytest_args.end());
  for (std::string& word : filter_words(filters)) {
    argv.push_back(std::move(word));
  }
  argv.insert(argv.end(), m_options.paths.begin(), m_options.paths.end());
  return argv;
}

void PytestFramework::discover(std::string_view request, const offload_sink* tests, const offload_cancel* cancel) {
  const nlohmann::json req = plugin_support::parse_object(request, "discover request");
  const auto [group, filters, files_only] = read_request("discover request", [&] {
    return std::tuple(plugin_support::string_or(req, "group", ""), plugin_support::string_or(req, "filters", ""),
                      plugin_support::bool_or(req, "files_only", false));
  });
  // The bundled plugin lists the modules that skip themselves at import
  // (pytest.importorskip): they hold no test, yet pytest's JUnit reports them.
  const TempLinesFile skipped("skipped");
  // Filters (-k, -m) select tests, which only collecting the modules shows:
  // then the tests are listed after all.
  const bool list_files = files_only && filters.empty();
  const TempLinesFile files("files");
  std::vector<std::string> plugin_args{"--offload-skipped=" + skipped.path()};
  if (list_files) {
    plugin_args.push_back("--offload-files=" + files.path());
  }
  const std::vector<std::string> argv = discover_argv(filters);
  const auto pytest_args = argv.begin() + static_cast<std::ptrdiff_t>(m_options.pytest_command().size());
  std::vector<std::string> command;
  nlohmann::json spec = nlohmann::json::object();
  if (const std::optional<std::string> dir = fork_dir()) {
    // Forked from the run's fork server like the workers on this machine:
    // discovery pays no imports of its own, and the server it starts (or
    // finds) stays for the workers that start beside it or after it. The
    // worker module runs pytest with the plugin and prints node IDs in
    // UTF-8 itself.
    command.push_back(m_options.python);
    command.insert(command.end(), m_options.extra_args.begin(), m_options.extra_args.end());
    command.insert(command.end(), {m_plugin_dir + "/" + k_bundled_fork_server, k_discovery_linger, *dir,
                                   m_plugin_dir + "/" + k_bundled_worker,
                                   "--plugin=" + m_plugin_dir + "/" + k_bundled_plugin, "--"});
  } else {
    command.assign(argv.begin(), pytest_args);
    command.insert(command.end(), {"-p", "offload_pytest"});
    // Node IDs can hold any Unicode text; ask for UTF-8 whatever the locale.
    spec["env"] = {{"PYTHONIOENCODING", "utf-8"}, {"PYTHONPATH", with_plugin_dir(m_plugin_dir)}};
  }
  command.insert(command.end(), plugin_args.begin(), plugin_args.end());
  command.insert(command.end(), pytest_args, argv.end());
  spec["argv"] = command;
  if (m_options.working_dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(*m_options.working_dir, ec)) {
      throw sdk::Failure(OFFLOAD_EINVAL, "working_dir '" + *m_options.working_dir + "' is not a directory",
                         "working_dir");
    }
    spec["cwd"] = *m_options.working_dir;
  }

  const sdk::Host host(m_host);
  sdk::Collector output;
  CollectOutput collected;
  try {
    collected.status = host.run(plugin_support::json_text(spec), output.sink(), cancel);
  } catch (const sdk::Failure& failure) {
    if (failure.code() != OFFLOAD_ENOENT) {
      throw;
    }
    throw sdk::Failure(OFFLOAD_ENOENT,
                       "python '" + m_options.python +
                           "' cannot be executed (no such file, or not executable); set [framework] python to an "
                           "interpreter with pytest, e.g. /usr/bin/python3",
                       "python");
  }
  collected.out = output.out();
  collected.err = output.err();

  if (collected.status != 0 && collected.status != k_pytest_no_tests) {
    const bool python_at_fault = lacks_pytest_module(collected);
    throw sdk::Failure(OFFLOAD_EIO, explain_collect_failure(collected, m_options.python),
                       python_at_fault ? "python" : "");
  }
  if (list_files) {
    for (const std::string& file : files.lines()) {
      sdk::emit(tests, OFFLOAD_CHANNEL_DATA, plugin_support::json_text({{"file", file}}));
    }
    return;
  }
  std::vector<std::string> ids = parse_collected_ids(collected.out);
  for (std::string& id : skipped.lines()) {
    ids.push_back(std::move(id));
  }
  if (ids.empty() && collected.status == 0 && printed_collection_tree(collected.out)) {
    throw sdk::Failure(OFFLOAD_EIO, "pytest --collect-only printed a collection tree instead of node IDs; "
                                    "remove -v from the group's filters");
  }
  std::set<std::string, std::less<>> seen;
  for (const std::string& id : ids) {
    if (!seen.insert(id).second) {
      host.log(OFFLOAD_LOG_WARN, "pytest listed '" + id + "' twice for group '" + group + "'; it runs once");
      continue;
    }
    plugin_support::check_test_id(id);
    const JunitName junit = junit_name_of(id);
    sdk::emit(tests, OFFLOAD_CHANNEL_DATA,
              plugin_support::json_text({{"id", id},
                                         {"file", id.substr(0, id.find("::"))},
                                         {"classname", junit.classname},
                                         {"name", junit.name}}));
  }
}

std::string PytestFramework::build_command(std::string_view request) {
  const nlohmann::json req = plugin_support::parse_object(request, "build_command request");
  Batch batch = read_request("build_command request", [&] {
    return Batch{plugin_support::string_list(req, "tests"), plugin_support::string_or(req, "result_file", ""),
                 plugin_support::bool_or(req, "fail_fast", false)};
  });
  if (batch.tests.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed build_command request: \"tests\" is empty");
  }
  if (batch.result_file.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed build_command request: \"result_file\" is missing");
  }
  return plugin_support::json_text(
      {{"shell", batch_script(m_options, m_plugin_source, batch)}, {"result_file", batch.result_file}});
}

std::string PytestFramework::build_worker_command(std::string_view request) {
  const nlohmann::json req = plugin_support::parse_object(request, "build_worker_command request");
  WorkerRequest worker = read_request("build_worker_command request", [&] {
    return WorkerRequest{plugin_support::string_or(req, "scratch_dir", ""), plugin_support::string_list(req, "tests")};
  });
  if (worker.scratch_dir.empty()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed build_worker_command request: \"scratch_dir\" is missing");
  }
  return plugin_support::json_text({{"shell", worker_script(m_options, m_worker_sources, fork_dir(), worker)}});
}

std::optional<std::string> PytestFramework::fork_dir() {
  if (!m_options.fork_workers) {
    return std::nullopt;
  }
  const std::lock_guard lock(m_fork_dir_mutex);
  if (!m_fork_dir) {
    // One per run: its fork servers serve this run's workers only. A worker
    // on another machine finds no such directory there and starts alone.
    m_fork_dir.emplace(std::filesystem::temp_directory_path(), "offload-pytest-forks-");
  }
  return m_fork_dir->path().string();
}

std::string PytestFramework::map_results(std::string_view request) {
  const auto req = plugin_support::read_map_results_request(request);
  const NodeIdMatcher matcher(req.tests);
  std::vector<std::optional<std::string>> ids;
  for (const auto& c : req.cases) {
    ids.push_back(matcher.match(c.name, c.classname));
  }
  return plugin_support::map_results_answer(ids);
}

} // namespace offload::plugins
