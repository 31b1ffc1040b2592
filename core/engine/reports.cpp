// SPDX-License-Identifier: MIT
#include "engine/reports.hpp"

#include "report/junit.hpp"
#include "report/timeline.hpp"
#include "util/atomic_file.hpp"
#include "util/logging.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <ctime>
#include <sys/resource.h>
#include <unistd.h>

namespace offload::engine {
namespace {

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

void remember_durations(History& history, const std::vector<TestRecord>& records) {
  for (const auto& r : records) {
    for (const auto& a : r.attempts) {
      // Only attempts that ran to a result say how long the test takes.
      if (a.result == AttemptResult::Passed || a.result == AttemptResult::Failed ||
          a.result == AttemptResult::TimedOut) {
        history.add(r.test.id, a.duration_secs);
      }
    }
  }
}

// What the run cost offload itself and the sandboxes, for people and benchmarks.
void write_run_stats(const RunOutcome& out, const std::filesystem::path& dir) {
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

} // namespace

void write_reports(const config::Config& cfg, const RunOutcome& out, bool trace, History& history) {
  const std::filesystem::path dir = cfg.report.output_dir;
  if (cfg.report.junit) {
    std::vector<std::string> group_names;
    for (const auto& g : cfg.groups) {
      group_names.push_back(g.name);
    }
    report::RunInfo info;
    info.wall_secs = out.wall_secs;
    info.timestamp = local_timestamp();
    info.hostname = host_name();
    if (auto st = report::write_junit(dir / cfg.report.junit_file, out.records, group_names, out.strays, info);
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

} // namespace offload::engine
