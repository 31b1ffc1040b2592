// SPDX-License-Identifier: MIT
#include "util/atomic_file.hpp"
#include "report/junit.hpp"
#include "report/report_printer.hpp"
#include "report/xml_text.hpp"

#include <tinyxml2.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>

namespace offload::report {

namespace {




bool is_failed_attempt(AttemptResult r) {
  return r != AttemptResult::Passed && r != AttemptResult::Skipped;
}

/// The `type` of an <error>, <rerunError> or <flakyError> for how an attempt
/// ended.
const char* error_type(const Attempt& attempt) {
  if (attempt.error) {
    return "error";
  }
  switch (attempt.result) {
  case AttemptResult::Failed: return "failure";
  case AttemptResult::TimedOut: return "timeout";
  case AttemptResult::Crashed: return "crash";
  case AttemptResult::Infrastructure: return "infrastructure";
  case AttemptResult::Cancelled: return "cancelled";
  case AttemptResult::Passed: return "passed";
  case AttemptResult::Skipped: return "skipped";
  }
  return "unknown";
}

const Attempt* last_with(const TestRecord& record, AttemptResult wanted) {
  const auto it = std::find_if(record.attempts.rbegin(), record.attempts.rend(),
                               [&](const Attempt& a) { return a.result == wanted; });
  return it != record.attempts.rend() ? &*it : nullptr;
}

/// The attempt whose result the verdict reports: the last one matching the
/// verdict (for a flaky test, the passing one), else simply the last.
const Attempt* deciding_attempt(const TestRecord& record) {
  if (record.attempts.empty()) {
    return nullptr;
  }
  const Attempt* wanted = nullptr;
  if (record.verdict == Verdict::Flaky || record.verdict == Verdict::Passed) {
    wanted = last_with(record, AttemptResult::Passed);
  } else if (record.verdict == Verdict::Skipped) {
    wanted = last_with(record, AttemptResult::Skipped);
  }
  return wanted != nullptr ? wanted : &record.attempts.back();
}


double case_time(const TestRecord& record) {
  const Attempt* attempt = deciding_attempt(record);
  return attempt != nullptr ? attempt->duration_secs : 0.0;
}

SuiteCounts count(const TestRecord& record) {
  SuiteCounts counts;
  counts.tests = 1;
  counts.time_secs = std::max(0.0, case_time(record));
  switch (record.verdict) {
  case Verdict::Passed:
  case Verdict::Flaky:
    break;
  case Verdict::Skipped:
    counts.skipped = 1;
    break;
  case Verdict::Failed: {
    const Attempt* last = deciding_attempt(record);
    if (last != nullptr && last->result == AttemptResult::Failed && !last->error) {
      counts.failures = 1;
    } else {
      counts.errors = 1;
    }
    break;
  }
  case Verdict::NotRun:
    counts.errors = 1;
    break;
  }
  return counts;
}



void write_output(ReportPrinter& out, const Attempt& attempt) {
  if (!attempt.system_out.empty()) {
    out.text_element("system-out", attempt.system_out);
  }
  if (!attempt.system_err.empty()) {
    out.text_element("system-err", attempt.system_err);
  }
}

/// A simple <failure>, <error> or <skipped> element: message and type
/// attributes, the details as text.
void write_outcome(ReportPrinter& out, const char* tag, const char* type, const Attempt& attempt) {
  out.open(tag);
  if (type != nullptr) {
    out.attribute("type", type);
  }
  out.attribute("message", attempt.message);
  out.text(attempt.details);
  out.close();
}

/// rerunFailure/rerunError/flakyFailure/flakyError: the attempt's message
/// and type, a <stackTrace> (required, possibly empty) and its output.
void write_retry(ReportPrinter& out, const char* tag, const Attempt& attempt) {
  out.open(tag);
  out.attribute("type", error_type(attempt));
  out.attribute("message", attempt.message);
  out.text_element("stackTrace", attempt.details);
  write_output(out, attempt);
  out.close();
}

/// The schema wants all *Failure elements of a testcase before its *Error
/// elements, so retries are written in two passes.
enum class RetryPass { Failures, Errors };

/// The failed attempts of a test other than `skip`, as `tag` (e.g.
/// "rerunFailure"), that are failures or errors as `pass` says.
void write_retries(ReportPrinter& out, const TestRecord& record, const Attempt* skip,
                   RetryPass pass, const char* tag) {
  for (const Attempt& attempt : record.attempts) {
    if (&attempt == skip || !is_failed_attempt(attempt.result)) {
      continue;
    }
    const bool is_error = attempt.result != AttemptResult::Failed || attempt.error;
    if (is_error == (pass == RetryPass::Errors)) {
      write_retry(out, tag, attempt);
    }
  }
}

void write_failed(ReportPrinter& out, const TestRecord& record) {
  const Attempt* last = deciding_attempt(record);
  if (last == nullptr) {
    out.open("error");
    out.attribute("type", "crash");
    out.attribute("message", "failed without a recorded attempt");
    out.close();
    return;
  }
  const bool failure = last->result == AttemptResult::Failed && !last->error;
  if (failure) {
    write_outcome(out, "failure", "failure", *last);
  }
  write_retries(out, record, last, RetryPass::Failures, "rerunFailure");
  if (!failure) {
    write_outcome(out, "error", error_type(*last), *last);
  }
  write_retries(out, record, last, RetryPass::Errors, "rerunError");
  write_output(out, *last);
}

void write_testcase(ReportPrinter& out, const TestRecord& record, std::string_view group) {
  // The framework's own names keep CI's test tree; the group goes along as
  // the testcase's group (and is the suite's name).
  const bool named = !record.test.name.empty();
  out.open("testcase");
  out.attribute("name", named ? std::string_view(record.test.name) : std::string_view(record.test.id));
  out.attribute("classname", named ? std::string_view(record.test.classname) : group);
  out.attribute("group", group);
  out.attribute("time", format_time(case_time(record)));
  const Attempt* decider = deciding_attempt(record);
  switch (record.verdict) {
  case Verdict::Passed:
    if (decider != nullptr) {
      write_output(out, *decider);
    }
    break;
  case Verdict::Flaky:
    write_retries(out, record, decider, RetryPass::Failures, "flakyFailure");
    write_retries(out, record, decider, RetryPass::Errors, "flakyError");
    if (decider != nullptr) {
      write_output(out, *decider);
    }
    break;
  case Verdict::Skipped:
    if (decider != nullptr) {
      write_outcome(out, "skipped", nullptr, *decider);
      write_output(out, *decider);
    } else {
      out.open("skipped");
      out.close();
    }
    break;
  case Verdict::Failed:
    write_failed(out, record);
    break;
  case Verdict::NotRun:
    out.open("error");
    out.attribute("type", "not-run");
    out.attribute("message", record.not_run_reason);
    out.close();
    break;
  }
  out.close();
}

/// Surefire's schema has no timestamp or hostname attribute on <testsuite>,
/// so they travel as properties.
void write_properties(ReportPrinter& out, const RunInfo& info) {
  if (info.hostname.empty() && info.timestamp.empty()) {
    return;
  }
  const auto property = [&out](const char* name, const std::string& value) {
    if (!value.empty()) {
      out.open("property");
      out.attribute("name", name);
      out.attribute("value", value);
      out.close();
    }
  };
  out.open("properties");
  property("hostname", info.hostname);
  property("timestamp", info.timestamp);
  out.close();
}

void open_suite(ReportPrinter& out, std::string_view name, const SuiteCounts& counts,
                const RunInfo& info) {
  out.open("testsuite");
  out.attribute("name", name);
  out.counts(counts);
  write_properties(out, info);
}

SuiteCounts count_strays(const std::vector<StrayResult>& strays) {
  SuiteCounts counts;
  for (const StrayResult& stray : strays) {
    ++counts.tests;
    ++counts.errors;
    counts.time_secs += std::max(0.0, stray.attempt.duration_secs);
  }
  return counts;
}

void write_stray(ReportPrinter& out, const StrayResult& stray) {
  const Attempt& attempt = stray.attempt;
  out.open("testcase");
  out.attribute("name", stray.name);
  out.attribute("classname", stray.classname);
  out.attribute("time", format_time(attempt.duration_secs));
  out.open("error");
  out.attribute("type", "unmatched");
  out.attribute("message", "result matches no discovered test (batch " +
                               std::to_string(stray.batch) + ")");
  std::string reported = std::string("reported result: ") + to_string(attempt.result);
  if (!attempt.message.empty()) {
    reported += ": " + attempt.message;
  }
  if (!attempt.details.empty()) {
    reported += "\n" + attempt.details;
  }
  out.text(reported);
  out.close();
  write_output(out, attempt);
  out.close();
}

struct Suite {
  std::string name;
  std::vector<const TestRecord*> records;
  SuiteCounts counts;
};

/// Tests by group, in `group_names` order; tests of a group index without
/// a name still get a suite ("group N", after the named ones) rather than
/// being lost.
std::vector<Suite> group_records(const std::vector<TestRecord>& records,
                                 const std::vector<std::string>& group_names) {
  std::vector<Suite> suites(group_names.size());
  for (std::size_t i = 0; i < group_names.size(); ++i) {
    suites[i].name = group_names[i];
  }
  std::map<std::size_t, Suite> unnamed;
  for (const TestRecord& record : records) {
    const std::size_t group = record.test.group;
    Suite* suite = nullptr;
    if (group < suites.size()) {
      suite = &suites[group];
    } else {
      suite = &unnamed[group];
      suite->name = "group " + std::to_string(group);
    }
    suite->records.push_back(&record);
    suite->counts += count(record);
  }
  for (auto& [group, suite] : unnamed) {
    suites.push_back(std::move(suite));
  }
  return suites;
}

} // namespace

Status write_junit(const std::filesystem::path& path, const std::vector<TestRecord>& records,
                   const std::vector<std::string>& group_names,
                   const std::vector<StrayResult>& strays, const RunInfo& info) {
  const std::vector<Suite> suites = group_records(records, group_names);
  SuiteCounts total;
  for (const Suite& suite : suites) {
    total += suite.counts;
  }
  const SuiteCounts stray_counts = count_strays(strays);
  total += stray_counts;
  total.time_secs = info.wall_secs;

  auto file = util::AtomicFile::create(path);
  if (!file) {
    return std::move(file).error();
  }
  ReportPrinter out(file->stream());
  out.declaration();
  out.open("testsuites");
  out.attribute("name", info.name);
  out.counts(total);
  if (!info.timestamp.empty()) {
    out.attribute("timestamp", info.timestamp);
  }
  for (const Suite& suite : suites) {
    open_suite(out, suite.name, suite.counts, info);
    for (const TestRecord* record : suite.records) {
      write_testcase(out, *record, suite.name);
    }
    out.close();
  }
  if (!strays.empty()) {
    open_suite(out, k_unmatched_suite, stray_counts, info);
    for (const StrayResult& stray : strays) {
      write_stray(out, stray);
    }
    out.close();
  }
  out.close();
  return file->commit();
}

} // namespace offload::report
