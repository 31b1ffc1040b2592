// SPDX-License-Identifier: MIT
#include "engine/pipeline.hpp"

#include "engine/discovery.hpp"
#include "engine/history.hpp"
#include "engine/reports.hpp"
#include "engine/run.hpp"
#include "engine/output_dir.hpp"
#include "util/plural.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <random>
#include <thread>

namespace offload::engine {
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

RunOptions run_options(const config::Config& cfg, const plugin::Provider& provider, const PipelineOptions& p,
                       std::optional<std::string> image) {
  RunOptions opt;
  opt.sandboxes = p.sandboxes;
  opt.timeout_secs = static_cast<double>(cfg.offload.test_timeout_secs);
  opt.fail_fast = p.fail_fast;
  opt.policy = p.policy;
  opt.hedge = cfg.offload.impatiently_requeue_batches;
  opt.output_dir = cfg.report.output_dir;
  opt.env = p.env;
  opt.project_root = cfg.offload.sandbox_project_root;
  opt.env["OFFLOAD_ROOT"] = opt.project_root.value_or(std::filesystem::current_path().string());
  opt.image_id = std::move(image);
  opt.run_id = new_run_id();
  opt.workers = cfg.offload.persistent_workers;
  // No single test may take longer than a whole batch could.
  opt.per_test_timeout_secs =
      static_cast<double>(std::min(cfg.offload.per_test_timeout_secs, cfg.offload.test_timeout_secs));
  // A copy of a test racing its original only pays off when there are
  // CPUs to spare; on this machine with a sandbox per core there are none.
  if (!provider.remote() && p.sandboxes >= std::max(1u, std::thread::hardware_concurrency())) {
    opt.hedge = false;
  }
  return opt;
}

} // namespace

Result<std::vector<TestCase>> collect(const config::Config& config, const plugin::Framework& framework,
                                      NoTests no_tests, const process::CancelToken& cancel, bool files_only) {
  auto tests = discover(framework, config.groups, static_cast<std::size_t>(config.offload.max_parallel_collection),
                        cancel, static_cast<double>(config.offload.discovery_timeout_secs), files_only);
  if (!tests || no_tests == NoTests::Pass) {
    return tests;
  }
  std::vector<std::size_t> per_group(config.groups.size(), 0);
  for (const auto& t : *tests) {
    ++per_group[t.group];
  }
  for (std::size_t g = 0; g < config.groups.size(); ++g) {
    if (per_group[g] > 0) {
      continue;
    }
    const auto& group = config.groups[g];
    std::string what = config::to_string(group.position) + ": groups." + group.name + ": selects no tests" +
                       (group.filters.empty() ? "" : " (filters: " + group.filters + ")");
    if (no_tests == NoTests::Fail) {
      return make_error(what, "; check its filters, or pass --no-tests=warn to allow it");
    }
    spdlog::warn("{}", what);
  }
  return tests;
}

RunVerdict overall(const RunOutcome& out) {
  if (out.interrupted) {
    return RunVerdict::Interrupted;
  }
  bool flaky = false;
  for (const auto& r : out.records) {
    if (r.verdict == Verdict::Failed || r.verdict == Verdict::NotRun) {
      return RunVerdict::Failed;
    }
    flaky = flaky || r.verdict == Verdict::Flaky;
  }
  for (const auto& s : out.strays) {
    if (s.attempt.result == AttemptResult::Failed) {
      return RunVerdict::Failed;
    }
  }
  if (!out.problems.empty()) {
    return RunVerdict::Failed;
  }
  return flaky ? RunVerdict::Flaky : RunVerdict::Passed;
}

Result<RunOutcome> run_pipeline(const config::Config& cfg, const plugin::Provider& provider,
                                const plugin::Framework& framework, const PipelineOptions& options,
                                const process::CancelToken& interrupt, RunObserver& observer) {
  const std::filesystem::path out_dir = cfg.report.output_dir;
  auto history = History::load(out_dir, out_dir / cfg.report.junit_file);
  const std::string fingerprint = discovery_fingerprint(cfg);
  TestSource source;
  if (cfg.offload.start_before_discovery) {
    source.expected = history.listing(fingerprint, cfg.groups);
  }
  RunOptions run_opt = run_options(cfg, provider, options, std::nullopt);
  // Workers collect each file they run anyway: with one group, discovery
  // need only list the files, and the workers' reports list the tests (the
  // costly part is then done once, in parallel, by the run itself).
  run_opt.workers = uses_workers(provider, framework, run_opt);
  source.worker_discovery = cfg.groups.size() == 1 && framework.worker_discovery() && run_opt.workers;
  std::fprintf(stderr, "offload: discovering tests...\n");
  auto image = std::async(std::launch::async,
                          [&] { return provider.prepare(options.no_cache, options.copy_dirs, interrupt); });
  auto discovering = std::async(std::launch::async, [&] {
    return collect(cfg, framework, options.no_tests, interrupt, source.worker_discovery);
  });
  std::optional<Result<std::vector<TestCase>>> discovered;
  const auto answer = [&]() -> Result<std::vector<TestCase>>& {
    if (!discovered) {
      discovered.emplace(discovering.get());
    }
    return *discovered;
  };
  source.discover = [&] {
    Result<std::vector<TestCase>> tests = std::move(answer());
    if (tests && is_file_listing(*tests)) {
      std::fprintf(stderr, "offload: found %s; the workers collect their tests\n",
                   util::counted(tests->size(), "test file", "test files").c_str());
    } else if (tests) {
      std::fprintf(stderr, "offload: found %s in %s\n", util::counted(tests->size(), "test", "tests").c_str(),
                   util::counted(cfg.groups.size(), "group", "groups").c_str());
    }
    return tests;
  };
  auto prepared = image.get();
  if (source.expected.empty() || !prepared) {
    // Without a list to start on, discovery's errors come first and leave
    // the output directory as it was.
    if (const auto& tests = answer(); !tests) {
      return tests.error();
    }
  }
  if (!prepared) {
    return prepared.error();
  }
  // Locked until the reports are written: a second run fails at once.
  const auto locked_out_dir = prepare_output_dir(out_dir, cfg.report.junit_file);
  if (!locked_out_dir) {
    return locked_out_dir.error();
  }
  run_opt.image_id = std::move(*prepared);
  auto outcome =
      orchestrate(provider, framework, std::move(source), cfg.groups, history, run_opt, interrupt, observer);
  if (!outcome) {
    return outcome;
  }
  if (outcome->started_early > 0) {
    spdlog::info("started on the last run's {} tests while discovery ran; it dropped {} of them",
                 outcome->started_early, outcome->withdrawn);
  }
  spdlog::info("scheduled with recorded durations for {} of {} tests (from {})", outcome->estimated_from_history,
               outcome->records.size(), history.source());
  history.set_listing(fingerprint, outcome->records, cfg.groups);
  write_reports(cfg, *outcome, options.trace, history);
  return outcome;
}

} // namespace offload::engine
