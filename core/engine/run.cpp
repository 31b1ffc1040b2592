// SPDX-License-Identifier: MIT
#include "engine/run.hpp"

#include "engine/discovery.hpp"

#include "engine/run_loop.hpp"
#include "engine/thread_executor.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <thread>

namespace offload::engine {
namespace {

// Whether this framework, as configured, runs a persistent worker: the
// default framework has one only with a worker_command, for instance.
bool has_worker(const plugin::Framework& framework) {
  const auto command =
      framework.worker_command(
      nlohmann::json{{"scratch_dir", "/offload-probe"}, {"fail_fast", false}, {"tests", nlohmann::json::array()}});
  if (!command) {
    spdlog::warn("running batches: {}", command.error().message);
    return false;
  }
  return command->has_value();
}

} // namespace

bool uses_workers(const plugin::Provider& provider, const plugin::Framework& framework, const RunOptions& options) {
  return options.workers && options.policy == SchedulePolicy::Dynamic && framework.has_result_files() &&
         provider.streams_stdin() && has_worker(framework);
}

Result<RunOutcome> orchestrate(const plugin::Provider& provider, const plugin::Framework& framework,
                               TestSource source, const std::vector<config::Group>& groups,
                               const History& history, const RunOptions& options,
                               const process::CancelToken& interrupt, RunObserver& observer) {
  RunInputs in;
  in.groups = &groups;
  in.history = &history;
  in.options = options;
  in.exit_code_mode = !framework.has_result_files();
  in.benign_exit_statuses = framework.benign_exit_statuses();
  in.per_test_timeout_secs = options.per_test_timeout_secs;
  in.workers = options.workers;
  in.worker_discovery = in.workers && source.worker_discovery;
  // Static mode plans every attempt up front, which a late answer would undo.
  const bool early = !source.expected.empty() && options.policy != SchedulePolicy::Static;
  if (early) {
    in.tests = std::move(source.expected);
    in.pending = true;
  } else {
    auto tests = source.discover();
    if (!tests) {
      return tests.error();
    }
    (in.worker_discovery && is_file_listing(*tests) ? in.listing : in.tests) = std::move(*tests);
    in.worker_discovery = !in.listing.empty();
  }

  SandboxSetup setup;
  setup.provider = &provider;
  setup.run_id = options.run_id;
  setup.image_id = options.image_id;
  setup.env = options.env;
  setup.project_root = options.project_root;
  setup.batch.framework = &framework;
  setup.batch.results_dir = options.output_dir / "results";
  setup.batch.timeout_secs = options.timeout_secs;
  setup.batch.fail_fast = options.fail_fast;
  setup.logs_dir = options.output_dir / "logs";
  setup.forward_output = observer.wants_output();
  setup.interrupt = interrupt;
  ThreadExecutor executor(std::move(setup));
  std::jthread discovery;
  if (early) {
    discovery = std::jthread([&] {
      DiscoveryDone answer{make_error("discovery ended without an answer")};
      try {
        answer.tests = source.discover();
      } catch (const std::exception& e) {
        answer.tests = make_error("discovery failed: internal error: ", e.what());
      }
      executor.post(std::move(answer));
    });
  }
  RunLoop loop(executor, observer, std::move(in));
  return loop.run();
}

} // namespace offload::engine
