// SPDX-License-Identifier: MIT
#include "engine/judge.hpp"

#include <unordered_map>

namespace offload::engine {
namespace {

Attempt attempt_of(AttemptResult result, const Batch& b, const JudgeInput& in, std::string message) {
  Attempt a;
  a.result = result;
  a.message = std::move(message);
  a.batch = b.id;
  a.sandbox = in.sandbox;
  return a;
}

void judge_ran(const Batch& b, const BatchReport& rep, const JudgeInput& in, Judgement& j) {
  std::unordered_map<std::size_t, std::size_t> position;
  for (std::size_t i = 0; i < b.tests.size(); ++i) {
    position.emplace(b.tests[i], i);
  }
  const auto index_of = [&](std::size_t test) { return position.at(test); };
  bool any_failed = false;
  for (const auto& [t, attempt] : rep.results) {
    any_failed = any_failed || attempt.result == AttemptResult::Failed;
    if (!in.open(index_of(t))) {
      continue;
    }
    if (attempt.result == AttemptResult::Failed) {
      j.outcome = BatchOutcome::Failure;
    }
    j.actions.push_back({Action::Kind::Record, t, attempt, {}});
  }
  const bool many = b.tests.size() > 1;
  for (std::size_t t : rep.missing) {
    if (!in.open(index_of(t))) {
      continue;
    }
    j.outcome = BatchOutcome::Error;
    if (many) {
      j.actions.push_back({Action::Kind::Isolate, t, {}, {}});
    } else if (rep.exit_status != 0) {
      j.actions.push_back({Action::Kind::Record, t,
                           attempt_of(AttemptResult::Crashed, b, in,
                                      "the runner ended (exit status " + std::to_string(rep.exit_status) +
                                          ") without a result for this test"),
                           {}});
    } else {
      j.actions.push_back({Action::Kind::NotRun, t, {},
                           "ran alone and the runner exited 0, but reported no result for it (" + rep.problem +
                               "); do the runner's test names match the discovered IDs?"});
    }
  }
  j.strays = rep.strays;
  const bool benign = in.benign_exit_statuses != nullptr && in.benign_exit_statuses->count(rep.exit_status) > 0;
  if (rep.exit_status != 0 && !benign && !any_failed && rep.missing.empty() && !rep.results.empty() &&
      !rep.exit_is_verdict) {
    j.outcome = BatchOutcome::Failure;
    j.problem = "batch " + std::to_string(b.id) + ": the runner exited with status " +
                std::to_string(rep.exit_status) + " although every test it reported passed (see logs/batch-" +
                std::to_string(b.id) + ".failure)";
  }
}

} // namespace

Judgement judge(const Batch& b, const BatchReport& rep, const JudgeInput& in) {
  Judgement j;
  const bool many = b.tests.size() > 1;
  switch (rep.ending) {
  case BatchReport::Ending::Ran:
    judge_ran(b, rep, in, j);
    break;
  case BatchReport::Ending::TimedOut:
    j.outcome = BatchOutcome::Error;
    for (std::size_t i = 0; i < b.tests.size(); ++i) {
      if (!in.open(i)) {
        continue;
      }
      if (many) {
        // Each alone next time, so the one that hangs is singled out.
        j.actions.push_back({Action::Kind::Isolate, b.tests[i], {}, {}});
      } else {
        Attempt a = attempt_of(AttemptResult::TimedOut, b, in, rep.problem);
        a.duration_secs = rep.wall_secs;
        j.actions.push_back({Action::Kind::Record, b.tests[i], std::move(a), {}});
      }
    }
    break;
  case BatchReport::Ending::Cancelled:
    j.outcome = BatchOutcome::Cancelled;
    for (std::size_t i = 0; i < b.tests.size() && in.requeue_cancelled; ++i) {
      if (in.open(i)) {
        j.actions.push_back({Action::Kind::Requeue, b.tests[i], {}, {}});
      }
    }
    break;
  case BatchReport::Ending::Infrastructure:
    j.outcome = BatchOutcome::Error;
    for (std::size_t i = 0; i < b.tests.size(); ++i) {
      if (in.open(i)) {
        j.actions.push_back({Action::Kind::Infrastructure, b.tests[i],
                             attempt_of(AttemptResult::Infrastructure, b, in, rep.problem), {}});
      }
    }
    break;
  }
  return j;
}

} // namespace offload::engine
