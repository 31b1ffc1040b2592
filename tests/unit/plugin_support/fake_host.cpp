// SPDX-License-Identifier: MIT
#include "fake_host.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace offload::plugin_support::testing {
namespace fs = std::filesystem;
namespace {

FakeHost* g_current = nullptr;

int decode_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

void send_lines(const offload_sink* sink, uint32_t channel, const std::string& text) {
  if (sink == nullptr) {
    return;
  }
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) {
      end = text.size();
    }
    sink->write(sink->data, channel, text.data() + begin, end - begin);
    begin = end + 1;
  }
}

/// Child side of process_run: never returns.
[[noreturn]] void exec_child(const nlohmann::json& spec, const fs::path& out, const fs::path& err) {
  const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  // "stdin_fd" (ABI 1.1): the child reads the caller's descriptor.
  const int null_fd = spec.contains("stdin_fd") ? ::dup(spec["stdin_fd"].get<int>()) : ::open("/dev/null", O_RDONLY);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0 ||
      ::dup2(null_fd, 0) < 0) {
    ::_exit(126);
  }
  if (spec.contains("cwd") && ::chdir(spec["cwd"].get<std::string>().c_str()) != 0) {
    ::_exit(126);
  }
  if (spec.contains("env")) {
    for (const auto& [name, value] : spec["env"].items()) {
      ::setenv(name.c_str(), value.get<std::string>().c_str(), 1);
    }
  }
  std::vector<std::string> words = spec["argv"].get<std::vector<std::string>>();
  std::vector<char*> argv;
  for (auto& word : words) {
    argv.push_back(word.data());
  }
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  ::_exit(127);
}

} // namespace

FakeHost::FakeHost() : m_capture_dir(fs::temp_directory_path() / ("offload-fake-host-" + std::to_string(::getpid()))) {
  if (g_current != nullptr) {
    throw std::logic_error("only one FakeHost at a time");
  }
  fs::create_directories(m_capture_dir);
  m_table.struct_size = sizeof(offload_host_v1);
  m_table.abi_version = OFFLOAD_ABI_VERSION;
  m_table.log = &FakeHost::log;
  m_table.error_set = &FakeHost::error_set;
  m_table.is_cancelled = &FakeHost::is_cancelled;
  m_table.process_run = &FakeHost::process_run;
  m_table.bundled_script = &FakeHost::bundled_script;
  g_current = this;
}

FakeHost::~FakeHost() {
  g_current = nullptr;
  std::error_code ignored;
  fs::remove_all(m_capture_dir, ignored);
}

FakeHost& FakeHost::current() {
  return *g_current;
}

void FakeHost::log(const offload_host_v1*, uint32_t level, const char* msg, size_t len) {
  current().m_logs.push_back({level, std::string(msg, len)});
}

void FakeHost::error_set(offload_error* err, int32_t code, const char* key, const char* msg, size_t len) {
  if (err != nullptr) {
    current().m_errors.push_back({code, key != nullptr ? key : "", std::string(msg, len)});
  }
}

int32_t FakeHost::is_cancelled(const offload_cancel*) {
  return 0;
}

int32_t FakeHost::process_run(const offload_host_v1*, const char* spec_json, size_t spec_len,
                              const offload_sink* output, const offload_cancel*, int32_t* exit_status,
                              offload_error* err) {
  FakeHost& self = current();
  const nlohmann::json spec = nlohmann::json::parse(std::string_view(spec_json, spec_len));
  self.m_specs.push_back(spec);
  const fs::path out = self.m_capture_dir / "stdout";
  const fs::path errors = self.m_capture_dir / "stderr";
  const pid_t pid = ::fork();
  if (pid == 0) {
    exec_child(spec, out, errors);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) {
    constexpr std::string_view message = "fork failed";
    error_set(err, OFFLOAD_EIO, nullptr, message.data(), message.size());
    return OFFLOAD_EIO;
  }
  *exit_status = decode_status(status);
  send_lines(output, OFFLOAD_CHANNEL_STDOUT, read_file(out));
  send_lines(output, OFFLOAD_CHANNEL_STDERR, read_file(errors));
  return OFFLOAD_OK;
}

int32_t FakeHost::bundled_script(const offload_host_v1*, const char*, const offload_sink*, offload_error* err) {
  constexpr std::string_view message = "no bundled scripts";
  error_set(err, OFFLOAD_ENOENT, nullptr, message.data(), message.size());
  return OFFLOAD_ENOENT;
}

ScratchDir::ScratchDir() {
  std::string pattern = (fs::temp_directory_path() / "offload-plugin-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  m_path = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  fs::remove_all(m_path, ignored);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

std::string sh_output(const std::string& script) {
  const std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(script.c_str(), "r"), &::pclose);
  if (!pipe) {
    throw std::runtime_error("popen failed");
  }
  std::string output;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0) {
    output.append(buffer, n);
  }
  return output;
}

int sh_status(const std::string& script) {
  return decode_status(std::system(script.c_str()));
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

} // namespace offload::plugin_support::testing
