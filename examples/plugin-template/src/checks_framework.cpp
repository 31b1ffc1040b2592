// SPDX-License-Identifier: MIT
#include "checks_framework.hpp"

#include "json_scan.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace checks {
namespace {

bool executable(const fs::directory_entry& entry) {
  std::error_code ec;
  const auto perms = entry.status(ec).permissions();
  return !ec && entry.is_regular_file(ec) && (perms & fs::perms::owner_exec) != fs::perms::none;
}

} // namespace

ChecksFramework::ChecksFramework(const offload_host_v1* host, std::string_view config) : m_host(host) {
  // The host filled in the default, so a missing "dir" means a broken host.
  auto dir = string_member(config, "dir");
  if (!dir || dir->empty()) {
    throw offload::sdk::Failure(OFFLOAD_EINVAL, "dir must name a directory", "dir");
  }
  m_dir = *dir;
}

std::string ChecksFramework::describe() {
  // No result files: the host runs each test alone and judges its exit status.
  return R"({"results": "exit_code"})";
}

void ChecksFramework::discover(std::string_view /*request*/, const offload_sink* tests,
                               const offload_cancel* /*cancel*/) {
  std::error_code ec;
  fs::directory_iterator it(m_dir, ec);
  if (ec) {
    throw offload::sdk::Failure(OFFLOAD_ENOENT, "cannot list '" + m_dir + "': " + ec.message(), "dir");
  }
  std::vector<std::string> names;
  for (const auto& entry : it) {
    if (executable(entry)) {
      names.push_back(entry.path().filename().string());
    }
  }
  // A stable order keeps `offload collect` output diffable.
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const std::string file = (fs::path(m_dir) / name).string();
    offload::sdk::emit(tests, OFFLOAD_CHANNEL_DATA, "{\"id\":" + json_string(name) + ",\"file\":" + json_string(file) + "}");
  }
}

std::string ChecksFramework::build_command(std::string_view request) {
  // In exit-status mode every batch holds one test.
  auto test = string_member(request, "tests");
  if (!test) {
    throw offload::sdk::Failure(OFFLOAD_EINVAL, "request has no \"tests\"");
  }
  // argv, not a shell line: a test name is data, whatever it contains. No
  // "result_file" member: that tells the host the exit status is the verdict.
  const std::string program = (fs::path(m_dir) / *test).string();
  return "{\"argv\":[" + json_string("./" + program) + "]}";
}

std::string ChecksFramework::map_results(std::string_view /*request*/) {
  throw offload::sdk::Failure(OFFLOAD_EINVAL, "checks reports by exit status; it has no testcases to map");
}

} // namespace checks
