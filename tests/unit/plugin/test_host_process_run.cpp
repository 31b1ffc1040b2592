// SPDX-License-Identifier: MIT
#include "plugin/host.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace {

struct Ran {
  int32_t rc = -1;
  std::string message;
};

Ran run_true_with_timeout(const nlohmann::json& timeout_ms) {
  const offload_host_v1* host = offload::plugin::host_table("test");
  const std::string spec = nlohmann::json{{"argv", {"true"}}, {"timeout_ms", timeout_ms}}.dump();
  offload_error err;
  int32_t status = -1;
  const int32_t rc = host->process_run(host, spec.data(), spec.size(), nullptr, nullptr, &status, &err);
  return {rc, err.message};
}

} // namespace

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::host process_run refuses a timeout_ms the clock cannot hold") {
  CHECK(run_true_with_timeout(1'000'000'000'000).rc == OFFLOAD_OK); // the longest: about 31 years
  // Past 2^63 the value once wrapped to a negative, which meant no timeout
  // at all; below it, the deadline overflowed the clock's nanoseconds.
  for (const auto& over : {nlohmann::json(1'000'000'000'001), nlohmann::json(INT64_MAX),
                           nlohmann::json(UINT64_MAX)}) {
    CAPTURE(over);
    const Ran ran = run_true_with_timeout(over);
    CHECK(ran.rc == OFFLOAD_EINVAL);
    CHECK(ran.message == "process spec \"timeout_ms\" " + over.dump() +
                             " is longer than the longest timeout, 1000000000000 ms");
  }
  CHECK(run_true_with_timeout(0).rc == OFFLOAD_OK);
  CHECK(run_true_with_timeout(-5).rc == OFFLOAD_OK);
}

TEST_SUITE_END();
