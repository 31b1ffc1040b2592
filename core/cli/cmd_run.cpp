// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"
#include "cli/run_checks.hpp"
#include "cli/signals.hpp"

#include "engine/pipeline.hpp"
#include "report/console.hpp"
#include "util/logging.hpp"
#include "util/terminal_text.hpp"

namespace offload::cli {
namespace {

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

Result<engine::NoTests> parse_no_tests(const std::string& text) {
  if (text == "fail") {
    return engine::NoTests::Fail;
  }
  if (text == "warn") {
    return engine::NoTests::Warn;
  }
  if (text == "pass") {
    return engine::NoTests::Pass;
  }
  return make_error("--no-tests '", text, "': expected 'fail', 'warn' or 'pass'");
}

// The flags, checked; the first bad one is the error.
Result<engine::PipelineOptions> pipeline_options(const po::variables_map& vm, const config::Config& cfg) {
  engine::PipelineOptions opt;
  auto env = parse_env_flags(vm.count("env") ? vm["env"].as<std::vector<std::string>>() : std::vector<std::string>{});
  if (!env) {
    return env.error();
  }
  auto policy = parse_policy(vm["schedule"].as<std::string>());
  if (!policy) {
    return policy.error();
  }
  auto no_tests = parse_no_tests(vm["no-tests"].as<std::string>());
  if (!no_tests) {
    return no_tests.error();
  }
  if (vm.count("copy-dir")) {
    opt.copy_dirs = vm["copy-dir"].as<std::vector<std::string>>();
    for (const auto& spec : opt.copy_dirs) {
      if (spec.find(':') == std::string::npos) {
        return make_error("--copy-dir '", spec, "': expected LOCAL:REMOTE");
      }
    }
  }
  int64_t sandboxes = cfg.offload.max_parallel;
  if (vm.count("parallel")) {
    sandboxes = vm["parallel"].as<int64_t>();
    if (sandboxes < 1) {
      return make_error("--parallel ", std::to_string(sandboxes), ": expected a number of sandboxes ≥ 1");
    }
  }
  opt.sandboxes = static_cast<std::size_t>(sandboxes);
  opt.env = std::move(*env);
  opt.policy = *policy;
  opt.no_tests = *no_tests;
  opt.fail_fast = vm.count("fail-fast") > 0;
  opt.no_cache = vm.count("no-cache") > 0;
  opt.trace = vm.count("trace") > 0;
  return opt;
}

int exit_code_for(engine::RunVerdict v) {
  switch (v) {
  case engine::RunVerdict::Passed: return k_exit_ok;
  case engine::RunVerdict::Flaky: return k_exit_flaky;
  case engine::RunVerdict::Interrupted: return k_exit_interrupted;
  case engine::RunVerdict::Failed: break;
  }
  return k_exit_failed;
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
      ("no-tests", po::value<std::string>()->default_value("fail"),
       "when a group selects no tests: fail (the default), warn, or pass")
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
  auto options = pipeline_options(vm, ctx->config);
  if (!options) {
    util::report_error(options.error().message);
    return k_exit_failed;
  }
  if (vm.count("collect-only")) {
    auto tests = engine::collect(ctx->config, *ctx->framework, options->no_tests, interrupt);
    if (!tests) {
      util::report_error(tests.error().message);
      return interrupt.cancelled() ? k_exit_interrupted : k_exit_failed;
    }
    print_collection(*tests, ctx->config.groups);
    return k_exit_ok;
  }
  if (auto st = check_run_setup(*ctx, static_cast<int64_t>(options->sandboxes)); !st) {
    util::report_error(st.error().message);
    return k_exit_failed;
  }
  auto outcome = engine::run_pipeline(ctx->config, *ctx->provider, *ctx->framework, *options, interrupt, console);
  if (!outcome) {
    util::report_error(outcome.error().message);
    return interrupt.cancelled() ? k_exit_interrupted : k_exit_failed;
  }
  for (const auto& problem : outcome->problems) {
    util::report_error(problem);
  }
  report::print_summary(stdout, outcome->records, outcome->wall_secs, outcome->strays.size(),
                        ctx->config.report.output_dir, outcome->interrupted);
  return exit_code_for(engine::overall(*outcome));
}

} // namespace offload::cli
