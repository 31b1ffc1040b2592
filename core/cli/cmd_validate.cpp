// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"
#include "cli/run_checks.hpp"

#include "util/logging.hpp"

namespace offload::cli {

int cmd_validate(const GlobalOptions& global, const po::variables_map&) {
  auto ctx = load_context(global);
  if (!ctx) {
    util::report_error(ctx.error().message);
    return k_exit_failed;
  }
  const auto& c = ctx->config;
  if (auto st = check_run_setup(*ctx, c.offload.max_parallel); !st) {
    util::report_error(st.error().message);
    return k_exit_failed;
  }
  std::printf("Configuration is valid!\n\nSettings:\n");
  std::printf("  Max parallel: %lld\n", static_cast<long long>(c.offload.max_parallel));
  std::printf("  Test timeout: %llds\n", static_cast<long long>(c.offload.test_timeout_secs));
  std::printf("  Provider: %s (%s)\n", c.provider.type.c_str(), ctx->provider->factory().path.c_str());
  std::printf("  Framework: %s (%s)\n", c.framework.type.c_str(), ctx->framework->factory().path.c_str());
  std::printf("  Output: %s/%s\n", c.report.output_dir.c_str(), c.report.junit ? c.report.junit_file.c_str() : "(no junit)");
  std::printf("Groups:\n");
  for (const auto& g : c.groups) {
    std::printf("  %s: retry_count = %lld%s%s\n", g.name.c_str(), static_cast<long long>(g.retry_count),
                g.filters.empty() ? "" : ", filters = ", g.filters.c_str());
  }
  return k_exit_ok;
}

} // namespace offload::cli
