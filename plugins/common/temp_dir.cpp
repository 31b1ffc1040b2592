// SPDX-License-Identifier: MIT
#include "temp_dir.hpp"

#include <offload/plugin.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <thread>

namespace offload::plugins {
namespace fs = std::filesystem;
namespace {

// Tests may leave read-only directories behind (module caches, for one);
// their owner may still unlock them, which remove_all does not do itself.
void unlock_tree(const fs::path& root) {
  std::error_code ignored;
  fs::permissions(root, fs::perms::owner_all, fs::perm_options::add, ignored);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ignored) && !it->is_symlink(ignored)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    }
  }
}

bool is_out_of_fds(const std::error_code& ec) {
  return ec == std::errc::too_many_files_open || ec == std::errc::too_many_files_open_in_system;
}

} // namespace

TempDir::TempDir(const fs::path& parent, const std::string& prefix) {
  std::string pattern = (parent / (prefix + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    const int error = errno;
    throw sdk::Failure(OFFLOAD_EIO, "cannot create a private directory in '" + parent.string() +
                                        "': " + std::strerror(error));
  }
  m_path = pattern;
}

TempDir::~TempDir() {
  if (m_owned) {
    std::error_code ec;
    unlock_tree(m_path);
    fs::remove_all(m_path, ec);
  }
}

void TempDir::remove() {
  m_owned = false;
  std::error_code ec;
  fs::remove_all(m_path, ec);
  if (ec) {
    unlock_tree(m_path);
    ec.clear();
    fs::remove_all(m_path, ec);
  }
  // Walking a tree takes file descriptors; when the process has none to
  // spare, other sandboxes' commands end and give theirs back soon.
  for (int wait = 0; ec && is_out_of_fds(ec) && wait < 100; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ec.clear();
    fs::remove_all(m_path, ec);
  }
  if (ec) {
    throw sdk::Failure(OFFLOAD_EIO,
                       "cannot remove sandbox directory '" + m_path.string() + "': " + ec.message());
  }
}

} // namespace offload::plugins
