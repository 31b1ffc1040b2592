// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"
#include "cli/output_dir.hpp"
#include "cli/run_checks.hpp"
#include "cli/signals.hpp"

#include "engine/discovery.hpp"
#include "engine/history.hpp"
#include "engine/orchestrator.hpp"
#include "report/console.hpp"
#include "report/junit.hpp"
#include "report/timeline.hpp"
#include "util/atomic_file.hpp"
#include "util/logging.hpp"
#include "util/terminal_text.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <future>
#include <random>
#include <sys/resource.h>
#include <unistd.h>

namespace offload::cli {
namespace {

std::string new_run_id() {
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 6; ++i) {
    id += alphabet[rd() % (sizeof(alphabet) - 1)];
  }
  return id;
}

std::string local_timestamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

Result<std::map<std::string, std::string>> parse_env_flags(const std::vector<std::string>& flags) {
  std::map<std::string, std::string> env;
  for (const auto& f : flags) {
    const auto eq = f.find('=');
    if (eq == std::string::npos || eq == 0) {
      return make_error("--env '", f, "': expected KEY=VALUE");
    }
    env[f.substr(0, eq)] = f.substr(eq + 1);
  }
  return env;
}

Result<engine::SchedulePolicy> parse_policy(const std::string& text) {
  if (text == "dynamic") {
    return engine::SchedulePolicy::Dynamic;
  }
  if (text == "static") {
    return engine::SchedulePolicy::Static;
  }
  return make_error("--schedule '", text, "': expected 'dynamic' or 'static'");
}

void print_collected(const std::vector<engine::TestCase>& tests, const std::vector<config::Group>& groups) {
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::printf("\nGroup '%s':\n", groups[g].name.c_str());
    for (const auto& t : tests) {
      if (t.group == g) {
        std::printf("  %s\n", util::terminal_text(t.id).c_str());
      }
    }
  }
}

int exit_code_for(const engine::RunOutcome& out) {
  if (out.interrupted) {
    return k_exit_interrupted;
  }
  bool flaky = false;
  for (const auto& r : out.records) {
    if (r.verdict == engine::Verdict::Failed || r.verdict == engine::Verdict::NotRun) {
      return k_exit_failed;
    }
    flaky = flaky || r.verdict == engine::Verdict::Flaky;
  }
  return flaky ? k_exit_flaky : k_exit_ok;
}

void remember_durations(engine::History& history, const std::vector<engine::TestRecord>& records) {
  for (const auto& r : records) {
    for (const auto& a : r.attempts) {
      // Only attempts that ran to a result say how long the test takes.
      if (a.result == engine::AttemptResult::Passed || a.result == engine::AttemptResult::Failed ||
          a.result == engine::AttemptResult::TimedOut) {
        history.add(r.test.id, a.duration_secs);
      }
    }
  }
}

// What the run cost offload itself and the sandboxes, for people and benchmarks.
void write_run_stats(const engine::RunOutcome& out, const std::filesystem::path& dir) {
  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  const auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  const double cpu = secs(self.ru_utime) + secs(self.ru_stime);
  double busy = 0.0;
  for (const auto& b : out.batches) {
    busy += b.end_secs - b.start_secs;
  }
  const std::size_t tests = out.records.size();
  const nlohmann::json stats{
      {"tests", tests},
      {"batches", out.batches.size()},
      {"sandboxes", out.sandboxes},
      {"wall_secs", out.wall_secs},
      {"sandbox_busy_secs", busy},
      {"offload_cpu_secs", cpu},
      {"offload_cpu_ms_per_test", tests == 0 ? 0.0 : cpu * 1000.0 / static_cast<double>(tests)},
      {"offload_peak_rss_mb", static_cast<double>(self.ru_maxrss) / 1024.0},
  };
  spdlog::info("offload itself used {:.2f} s of CPU ({:.3f} ms per test) and {:.1f} MB at most", cpu,
               stats["offload_cpu_ms_per_test"].get<double>(), stats["offload_peak_rss_mb"].get<double>());
  if (auto st = util::write_file_atomically(dir / "run-stats.json", stats.dump(1)); !st) {
    spdlog::warn("{}", st.error().message);
  }
}

// Reports go out even for an interrupted run: a partial report beats none.
void write_reports(const Context& ctx, const engine::RunOutcome& out, const std::filesystem::path& dir,
                   bool trace, engine::History& history) {
  if (ctx.config.report.junit) {
    std::vector<std::string> group_names;
    for (const auto& g : ctx.config.groups) {
      group_names.push_back(g.name);
    }
    report::RunInfo info;
    info.wall_secs = out.wall_secs;
    info.timestamp = local_timestamp();
    info.hostname = host_name();
    if (auto st = report::write_junit(dir / ctx.config.report.junit_file, out.records, group_names, out.strays, info);
        !st) {
      util::report_error(st.error().message);
    }
  }
  if (auto st = report::write_timeline_svg(dir / "timeline.svg", out.sandboxes, out.batches, out.wall_secs); !st) {
    spdlog::warn("{}", st.error().message);
  }
  if (trace) {
    if (auto st = report::write_trace(dir / "trace.json", out.sandboxes, out.batches, out.phases); !st) {
      spdlog::warn("{}", st.error().message);
    } else {
      std::fprintf(stderr, "offload: trace written to %s\n", (dir / "trace.json").c_str());
    }
  }
  remember_durations(history, out.records);
  history.set_batch_overhead(out.batch_overhead_secs);
  if (auto st = history.save(dir); !st) {
    spdlog::warn("{}", st.error().message);
  }
  write_run_stats(out, dir);
}

} // namespace

void add_run_options(po::options_description& desc) {
  desc.add_options()
      ("parallel,p", po::value<int64_t>(), "number of sandboxes (overrides offload.max_parallel)")
      ("collect-only", "discover the tests and list them, run nothing")
      ("copy-dir", po::value<std::vector<std::string>>()->composing(),
       "LOCAL:REMOTE directory to copy into each sandbox image (repeatable)")
      ("env", po::value<std::vector<std::string>>()->composing(),
       "KEY=VALUE for every test command (repeatable; wins over the config)")
      ("no-cache", "build the sandbox image afresh instead of reusing a cached one")
      ("fail-fast", "stop at the first test that fails for good")
      ("schedule", po::value<std::string>()->default_value("dynamic"),
       "dynamic (shared queue, retries on demand) or static (one batch per sandbox)")
      ("trace", "write a Chrome/Perfetto trace of the run to <output_dir>/trace.json");
}

int cmd_run(const GlobalOptions& global, const po::variables_map& vm) {
  process::CancelToken interrupt;
  report::Console console(report::Console::detect_mode(), global.verbosity > 0);
  const InterruptGuard guard(interrupt, [&console] {
    console.message("interrupted: stopping every sandbox and writing what finished (a second Ctrl-C kills at once, then cleans up)");
  });

  auto ctx = load_context(global);
  if (!ctx) {
    util::report_error(ctx.error().message);
    return k_exit_failed;
  }
  auto env = parse_env_flags(vm.count("env") ? vm["env"].as<std::vector<std::string>>() : std::vector<std::string>{});
  auto policy = parse_policy(vm["schedule"].as<std::string>());
  if (!env || !policy) {
    util::report_error(!env ? env.error().message : policy.error().message);
    return k_exit_failed;
  }
  std::vector<std::string> copy_dirs;
  if (vm.count("copy-dir")) {
    copy_dirs = vm["copy-dir"].as<std::vector<std::string>>();
    for (const auto& spec : copy_dirs) {
      if (spec.find(':') == std::string::npos) {
        util::report_error("--copy-dir '" + spec + "': expected LOCAL:REMOTE");
        return k_exit_failed;
      }
    }
  }
  const auto& cfg = ctx->config;
  int64_t sandboxes = cfg.offload.max_parallel;
  if (vm.count("parallel")) {
    sandboxes = vm["parallel"].as<int64_t>();
    if (sandboxes < 1) {
      util::report_error("--parallel " + std::to_string(sandboxes) + ": expected a number of sandboxes ≥ 1");
      return k_exit_failed;
    }
  }

  const bool collect_only = vm.count("collect-only") > 0;
  if (auto st = check_run_setup(*ctx, sandboxes); !collect_only && !st) {
    util::report_error(st.error().message);
    return k_exit_failed;
  }
  const auto discover = [&] {
    return engine::discover(*ctx->framework, cfg.groups, static_cast<std::size_t>(cfg.offload.max_parallel_collection),
                            interrupt, static_cast<double>(cfg.offload.discovery_timeout_secs));
  };
  std::fprintf(stderr, "offload: discovering tests...\n");
  if (collect_only) {
    auto tests = discover();
    if (!tests) {
      util::report_error(tests.error().message);
      return interrupt.cancelled() ? k_exit_interrupted : k_exit_failed;
    }
    print_collected(*tests, cfg.groups);
    return k_exit_ok;
  }

  // The image build, discovery and (with a usable history) the first
  // batches all take a while; they overlap.
  auto image = std::async(std::launch::async,
                          [&] { return ctx->provider->prepare(vm.count("no-cache") > 0, copy_dirs, interrupt); });
  auto discovering = std::async(std::launch::async, discover);
  std::optional<Result<std::vector<engine::TestCase>>> discovered;
  const auto answer = [&]() -> Result<std::vector<engine::TestCase>>& {
    if (!discovered) {
      discovered.emplace(discovering.get());
    }
    return *discovered;
  };
  const std::filesystem::path out_dir = cfg.report.output_dir;
  auto history = engine::History::load(out_dir, out_dir / cfg.report.junit_file);
  const std::string fingerprint = engine::discovery_fingerprint(cfg);
  engine::TestSource source;
  if (cfg.offload.start_before_discovery) {
    source.expected = history.listing(fingerprint, cfg.groups);
  }
  source.discover = [&] {
    Result<std::vector<engine::TestCase>> tests = std::move(answer());
    if (tests) {
      std::fprintf(stderr, "offload: found %zu tests in %zu groups\n", tests->size(), cfg.groups.size());
    }
    return tests;
  };
  auto prepared = image.get();
  if (source.expected.empty() || !prepared) {
    // Without a list to start on, discovery's errors come first and leave
    // the output directory as it was.
    if (const auto& tests = answer(); !tests) {
      util::report_error(tests.error().message);
      return interrupt.cancelled() ? k_exit_interrupted : k_exit_failed;
    }
  }
  if (!prepared) {
    util::report_error(prepared.error().message);
    return interrupt.cancelled() ? k_exit_interrupted : k_exit_failed;
  }
  const auto locked_out_dir = prepare_output_dir(out_dir, cfg.report.junit_file);
  if (!locked_out_dir) {
    util::report_error(locked_out_dir.error().message);
    return k_exit_failed;
  }

  engine::RunOptions opt;
  opt.sandboxes = static_cast<std::size_t>(sandboxes);
  opt.timeout_secs = static_cast<double>(cfg.offload.test_timeout_secs);
  opt.fail_fast = vm.count("fail-fast") > 0;
  opt.policy = *policy;
  opt.hedge = cfg.offload.impatiently_requeue_batches;
  opt.output_dir = out_dir;
  opt.env = *env;
  opt.project_root = cfg.offload.sandbox_project_root;
  opt.env["OFFLOAD_ROOT"] = opt.project_root.value_or(std::filesystem::current_path().string());
  opt.image_id = *prepared;
  opt.run_id = new_run_id();
  auto outcome = engine::orchestrate(*ctx->provider, *ctx->framework, std::move(source), cfg.groups, history, opt,
                                     interrupt, console);
  if (!outcome) {
    util::report_error(outcome.error().message);
    return interrupt.cancelled() ? k_exit_interrupted : k_exit_failed;
  }
  if (outcome->started_early > 0) {
    spdlog::info("started on the last run's {} tests while discovery ran; it dropped {} of them",
                 outcome->started_early, outcome->withdrawn);
  }
  spdlog::info("scheduled with recorded durations for {} of {} tests (from {})", outcome->estimated_from_history,
               outcome->records.size(), history.source());
  history.set_listing(fingerprint, outcome->records, cfg.groups);
  write_reports(*ctx, *outcome, out_dir, vm.count("trace") > 0, history);
  report::print_summary(stdout, outcome->records, outcome->wall_secs, outcome->strays.size(), out_dir.string(),
                        outcome->interrupted);
  return exit_code_for(*outcome);
}

} // namespace offload::cli
