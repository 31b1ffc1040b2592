// SPDX-License-Identifier: MIT
#include "engine/output_dir.hpp"

#include "engine/history.hpp"
#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <vector>

namespace offload::engine {
namespace fs = std::filesystem;
namespace {

constexpr const char* k_manifest = ".offload-manifest";
constexpr const char* k_lock = ".offload.lock";
// Cleared at the start of every run.
constexpr const char* k_cleared[] = {"logs", "results", "trace.json", "timeline.svg", "run-stats.json"};

Result<process::UniqueFd> lock_dir(const fs::path& dir) {
  const fs::path path = dir / k_lock;
  process::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd) {
    return make_error("cannot open the lock file '", path.string(), "': ", std::strerror(errno));
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      return make_error("cannot lock '", path.string(), "': ", std::strerror(errno));
    }
    char pid[32] = {};
    [[maybe_unused]] const ssize_t n = ::pread(fd.get(), pid, sizeof pid - 1, 0);
    return make_error("output directory '", dir.string(), "' is in use by another offload run (pid ",
                      std::string(pid).substr(0, std::string(pid).find('\n')),
                      "); wait for it to finish, or give this run its own report.output_dir");
  }
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0 || ::pwrite(fd.get(), text.data(), text.size(), 0) < 0) {
    return make_error("cannot write the lock file '", path.string(), "': ", std::strerror(errno));
  }
  return fd;
}

std::set<std::string> read_manifest(const fs::path& dir) {
  std::set<std::string> names;
  std::ifstream in(dir / k_manifest);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) {
      names.insert(line);
    }
  }
  return names;
}

bool is_empty_dir(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(fs::symlink_status(path, ec)) && fs::is_empty(path, ec);
}

} // namespace

Result<OutputDir> prepare_output_dir(const fs::path& dir, const std::string& junit_file) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return make_error("cannot create output directory '", dir.string(), "': ", ec.message());
  }
  auto lock = lock_dir(dir);
  if (!lock) {
    return std::move(lock).error();
  }
  std::set<std::string> ours = read_manifest(dir);
  // Written by a version of offload before the manifest: its history file
  // says the directory is offload's.
  const bool legacy = ours.empty() && !fs::exists(dir / k_manifest, ec) &&
                      fs::is_regular_file(dir / History::k_file_name, ec);
  for (const char* name : k_cleared) {
    const fs::path path = dir / name;
    if (!fs::exists(fs::symlink_status(path, ec))) {
      continue;
    }
    if (!legacy && !ours.contains(name) && !is_empty_dir(path)) {
      return make_error("output directory '", dir.string(), "' holds '", name,
                        "', which offload did not write (it is not in ", k_manifest,
                        ") and would clear; move it, or set report.output_dir to a directory of offload's own");
    }
    fs::remove_all(path, ec);
    if (ec) {
      return make_error("cannot clear '", path.string(), "': ", ec.message());
    }
  }
  for (const char* sub : {"logs", "results"}) {
    fs::create_directories(dir / sub, ec);
    if (ec) {
      return make_error("cannot create '", (dir / sub).string(), "': ", ec.message());
    }
  }
  std::string manifest;
  for (const char* name : k_cleared) {
    manifest += std::string(name) + "\n";
  }
  manifest += junit_file + "\n" + History::k_file_name + "\n" + k_lock + "\n" + k_manifest + "\n";
  if (auto st = util::write_file_atomically(dir / k_manifest, manifest); !st) {
    return st.error();
  }
  return OutputDir(std::move(*lock));
}

} // namespace offload::engine
