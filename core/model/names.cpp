// SPDX-License-Identifier: MIT
#include "model/spans.hpp"
#include "model/test_model.hpp"

namespace offload {

const char* to_string(AttemptResult r) {
  switch (r) {
  case AttemptResult::Passed: return "passed";
  case AttemptResult::Failed: return "failed";
  case AttemptResult::Skipped: return "skipped";
  case AttemptResult::TimedOut: return "timed out";
  case AttemptResult::Crashed: return "crashed";
  case AttemptResult::Infrastructure: return "infrastructure error";
  case AttemptResult::Cancelled: return "cancelled";
  }
  return "unknown";
}

const char* to_string(Verdict v) {
  switch (v) {
  case Verdict::Passed: return "passed";
  case Verdict::Failed: return "failed";
  case Verdict::Flaky: return "flaky";
  case Verdict::Skipped: return "skipped";
  case Verdict::NotRun: return "not run";
  }
  return "unknown";
}


const char* to_string(BatchOutcome o) {
  switch (o) {
  case BatchOutcome::Success: return "success";
  case BatchOutcome::Failure: return "failure";
  case BatchOutcome::Error: return "error";
  case BatchOutcome::Cancelled: return "cancelled";
  }
  return "unknown";
}

} // namespace offload
