// SPDX-License-Identifier: MIT
#include "util/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include <unistd.h>

namespace offload::util {

namespace {

Error write_error(const std::filesystem::path& target, std::string_view why) {
  return make_error("cannot write ", target.string(), ": ", why);
}

// stdio does not always set errno for a failed buffered write.
std::string errno_text(int err) { return err != 0 ? std::strerror(err) : "write failed"; }

} // namespace

Result<AtomicFile> AtomicFile::create(const std::filesystem::path& target) {
  std::filesystem::path temp = target;
  temp += ".tmp-" + std::to_string(::getpid());
  std::FILE* stream = std::fopen(temp.c_str(), "wb");
  if (stream == nullptr) {
    return write_error(target, errno_text(errno));
  }
  return AtomicFile(target, std::move(temp), stream);
}

AtomicFile::AtomicFile(std::filesystem::path target, std::filesystem::path temp, std::FILE* stream)
    : m_target(std::move(target)), m_temp(std::move(temp)), m_stream(stream), m_pending(true) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_target(std::move(other.m_target)), m_temp(std::move(other.m_temp)),
      m_stream(std::exchange(other.m_stream, nullptr)),
      m_pending(std::exchange(other.m_pending, false)) {}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (m_stream != nullptr) {
    std::fclose(m_stream);
    m_stream = nullptr;
  }
  if (m_pending) {
    std::error_code ignored;
    std::filesystem::remove(m_temp, ignored);
    m_pending = false;
  }
}

Status AtomicFile::commit() {
  if (!m_pending) {
    return write_error(m_target, "report already committed or discarded");
  }
  errno = 0;
  const bool write_failed = std::fflush(m_stream) != 0 || std::ferror(m_stream) != 0;
  const int write_errno = errno;
  errno = 0;
  const bool close_failed = std::fclose(std::exchange(m_stream, nullptr)) != 0;
  const int close_errno = errno;
  if (write_failed || close_failed) {
    discard();
    return write_error(m_target, errno_text(write_failed ? write_errno : close_errno));
  }
  std::error_code ec;
  std::filesystem::rename(m_temp, m_target, ec);
  if (ec) {
    discard();
    return write_error(m_target, "rename from " + m_temp.string() + " failed: " + ec.message());
  }
  m_pending = false;
  return {};
}

Status write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  auto file = AtomicFile::create(target);
  if (!file) {
    return std::move(file).error();
  }
  if (!content.empty()) {
    std::fwrite(content.data(), 1, content.size(), file->stream());
  }
  return file->commit();
}

} // namespace offload::util
