// SPDX-License-Identifier: MIT
#include "cli/run_checks.hpp"

namespace offload::cli {

Status check_run_setup(const Context& ctx, int64_t sandboxes) {
  const auto& fixed = ctx.framework->fixed_result_file();
  if (fixed && sandboxes > 1 && !ctx.provider->remote()) {
    return make_error(config::to_string(ctx.config.framework.where("result_file")), ": framework.result_file '",
                      *fixed, "' is one path for every batch, but the ", ctx.config.provider.type, " provider's ",
                      std::to_string(sandboxes),
                      " sandboxes share this machine's files, so concurrent batches would delete and overwrite "
                      "each other's results; put {result_file} in run_command instead (each batch then gets its "
                      "own path), or run one sandbox (max_parallel = 1)");
  }
  return {};
}

} // namespace offload::cli
