// SPDX-License-Identifier: MIT
#include "report/batch_log.hpp"

#include <spdlog/spdlog.h>

namespace offload::report {
namespace {

std::filesystem::path log_path(const std::filesystem::path& dir, const std::string& stem, std::string_view suffix) {
  return dir / (stem + "." + std::string(suffix));
}

} // namespace

BatchLog::BatchLog(const std::filesystem::path& logs_dir, std::size_t batch)
    : BatchLog(logs_dir, "batch-" + std::to_string(batch)) {}

BatchLog::BatchLog(const std::filesystem::path& logs_dir, std::string stem)
    : m_dir(logs_dir), m_stem(std::move(stem)), m_file(std::fopen(log_path(m_dir, m_stem, "running").c_str(), "w")) {
  if (!m_file) {
    spdlog::warn("cannot write {}; this output is not kept", log_path(m_dir, m_stem, "running").string());
  }
}

BatchLog::~BatchLog() {
  if (m_file) {
    finish(BatchOutcome::Cancelled);
  }
}

void BatchLog::line(process::Stream stream, std::string_view text) {
  if (!m_file) {
    return;
  }
  if (stream == process::Stream::Stderr) {
    std::fputs("[stderr] ", m_file.get());
  }
  std::fwrite(text.data(), 1, text.size(), m_file.get());
  std::fputc('\n', m_file.get());
}

void BatchLog::note(std::string_view text) {
  if (!m_file) {
    return;
  }
  std::fputs("[offload] ", m_file.get());
  std::fwrite(text.data(), 1, text.size(), m_file.get());
  std::fputc('\n', m_file.get());
}

void BatchLog::finish(BatchOutcome outcome) {
  if (!m_file) {
    return;
  }
  m_file.reset();
  std::error_code ec;
  std::filesystem::rename(log_path(m_dir, m_stem, "running"), log_path(m_dir, m_stem, to_string(outcome)), ec);
}

} // namespace offload::report
