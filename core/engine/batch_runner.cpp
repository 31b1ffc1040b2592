// SPDX-License-Identifier: MIT
#include "engine/batch_runner.hpp"

#include "report/junit.hpp"

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

namespace offload::engine {
namespace {

using Clock = std::chrono::steady_clock;

Attempt attempt_from(const report::JUnitCase& c, const Batch& batch, const std::string& sandbox) {
  Attempt a;
  switch (c.kind) {
  case report::JUnitCase::Kind::Passed: a.result = AttemptResult::Passed; break;
  case report::JUnitCase::Kind::Skipped: a.result = AttemptResult::Skipped; break;
  case report::JUnitCase::Kind::Error:
    a.result = AttemptResult::Failed;
    a.error = true;
    break;
  case report::JUnitCase::Kind::Failed: a.result = AttemptResult::Failed; break;
  }
  a.duration_secs = c.time_secs;
  a.message = c.message;
  a.details = c.details;
  a.system_out = c.system_out;
  a.system_err = c.system_err;
  a.batch = batch.id;
  a.sandbox = sandbox;
  return a;
}

// A runner may report one test several times (pytest: a passing call and a
// failing teardown). The worst report wins; durations add up.
void merge_into(Attempt& into, const Attempt& more) {
  into.duration_secs += more.duration_secs;
  const bool more_fails = more.result == AttemptResult::Failed;
  const bool into_skips_or_passes = into.result != AttemptResult::Failed;
  if (more_fails && into_skips_or_passes) {
    const double secs = into.duration_secs;
    into = more;
    into.duration_secs = secs;
  } else if (more.result == AttemptResult::Passed && into.result == AttemptResult::Skipped) {
    into.result = AttemptResult::Passed;
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void mark_all_missing(BatchReport& r, const Batch& batch, std::string problem) {
  r.missing = batch.tests;
  r.problem = std::move(problem);
}

void collect_results(const BatchContext& ctx, const Batch& batch, const std::vector<std::string>& ids,
                     const std::string& sandbox, const std::vector<report::JUnitCase>& cases, BatchReport& r) {
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < batch.tests.size(); ++i) {
    index_of.emplace(ids[i], batch.tests[i]);
  }
  std::vector<plugin::CaseName> names;
  names.reserve(cases.size());
  for (const auto& c : cases) {
    names.push_back({c.name, c.classname});
  }
  auto mapped = ctx.framework->map_results(ids, names);
  if (!mapped) {
    mark_all_missing(r, batch, mapped.error().message);
    return;
  }
  std::map<std::size_t, Attempt> found;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& id = (*mapped)[i];
    const auto it = id ? index_of.find(*id) : index_of.end();
    Attempt a = attempt_from(cases[i], batch, sandbox);
    if (it == index_of.end()) {
      r.strays.push_back({cases[i].name, cases[i].classname, batch.id, std::move(a)});
      continue;
    }
    if (auto [slot, inserted] = found.emplace(it->second, a); !inserted) {
      merge_into(slot->second, a);
    }
  }
  for (std::size_t t : batch.tests) {
    if (auto it = found.find(t); it != found.end()) {
      r.results.emplace_back(t, std::move(it->second));
    } else {
      r.missing.push_back(t);
    }
  }
  if (!r.missing.empty()) {
    r.problem = "the result file has no result for " + std::to_string(r.missing.size()) + " of the batch's tests";
  }
}

// Batch IDs restart with every run and a provider's scratch directory may be
// shared and long-lived: a random part keeps an earlier run's file (or anyone
// else's) from ever standing in for this batch's results.
std::string result_path(const std::string& scratch_dir, std::size_t batch_id) {
  static const char hex[] = "0123456789abcdef";
  std::random_device rd;
  std::string token;
  for (int i = 0; i < 16; ++i) {
    token += hex[rd() % 16];
  }
  return scratch_dir + "/offload-result-" + std::to_string(batch_id) + "-" + token + ".xml";
}

} // namespace

BatchReport run_batch(const BatchContext& ctx, const plugin::Sandbox& sandbox, const Batch& batch,
                      const std::vector<std::string>& ids, report::BatchLog& log,
                      const process::LineHandler& on_line, const process::CancelToken& cancel) {
  const auto started = Clock::now();
  BatchReport r;
  auto finish = [&]() -> BatchReport {
    r.wall_secs = std::chrono::duration<double>(Clock::now() - started).count();
    return std::move(r);
  };

  const std::string remote_result = result_path(sandbox.scratch_dir(), batch.id);
  auto command = ctx.framework->build_command(ids, remote_result, ctx.fail_fast);
  if (!command) {
    r.ending = BatchReport::Ending::Infrastructure;
    r.problem = command.error().message;
    return finish();
  }
  command->spec["timeout_ms"] = static_cast<int64_t>(ctx.timeout_secs * 1000.0);
  log.note("sandbox " + sandbox.id() + ", " + std::to_string(ids.size()) + " tests" +
           (batch.duplicate_of ? ", a copy of batch " + std::to_string(*batch.duplicate_of) : ""));
  log.note("command: " + command->spec.dump());

  auto outcome = sandbox.exec(
      command->spec,
      [&](process::Stream stream, std::string_view line) {
        log.line(stream, line);
        if (on_line) {
          on_line(stream, line);
        }
      },
      cancel);
  if (!outcome) {
    r.ending = BatchReport::Ending::Infrastructure;
    r.problem = outcome.error().message;
    return finish();
  }
  r.exit_status = outcome->exit_status;
  if (outcome->ending == process::Ending::TimedOut) {
    r.ending = BatchReport::Ending::TimedOut;
    r.problem = "timed out after " + std::to_string(static_cast<long long>(ctx.timeout_secs)) + " s (test_timeout_secs)";
    return finish();
  }
  if (outcome->ending == process::Ending::Cancelled) {
    r.ending = BatchReport::Ending::Cancelled;
    return finish();
  }
  log.note("exit status " + std::to_string(r.exit_status));

  if (!command->result_file) {
    // No result file: the exit status is the verdict of the batch's one test.
    r.exit_is_verdict = true;
    for (std::size_t t : batch.tests) {
      Attempt a;
      a.result = r.exit_status == 0 ? AttemptResult::Passed : AttemptResult::Failed;
      a.message = r.exit_status == 0 ? "" : "exited with status " + std::to_string(r.exit_status);
      a.duration_secs = std::chrono::duration<double>(Clock::now() - started).count();
      a.batch = batch.id;
      a.sandbox = sandbox.id();
      r.results.emplace_back(t, std::move(a));
    }
    return finish();
  }

  const auto local = ctx.results_dir / ("batch-" + std::to_string(batch.id) + ".xml");
  std::error_code stale;
  std::filesystem::remove(local, stale);
  const auto fetched = sandbox.download({{*command->result_file, local.string()}}, cancel);
  if (!fetched) {
    r.ending = cancel.cancelled() ? BatchReport::Ending::Cancelled : BatchReport::Ending::Infrastructure;
    r.problem = fetched.error().message;
    return finish();
  }
  if (*fetched == plugin::Sandbox::Fetched::Missing) {
    // The runner ended without writing results: each test must be looked at alone.
    mark_all_missing(r, batch, "the runner exited with status " + std::to_string(r.exit_status) +
                                   " without writing its result file");
    return finish();
  }
  auto junit = ctx.framework->to_junit(read_file(local));
  if (!junit) {
    mark_all_missing(r, batch, junit.error().message);
    return finish();
  }
  auto cases = report::parse_junit(*junit);
  if (!cases) {
    mark_all_missing(r, batch, "result file " + local.string() + ": " + cases.error().message);
    return finish();
  }
  collect_results(ctx, batch, ids, sandbox.id(), *cases, r);
  return finish();
}

} // namespace offload::engine
