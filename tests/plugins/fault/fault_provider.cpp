// SPDX-License-Identifier: MIT
//
// A test-only provider that runs commands as local processes, like `local`,
// and misbehaves on purpose, reproducibly from `seed`: it fails create, exec
// and download at given rates (percent), delays calls, truncates result
// files, returns wrong exit codes and kills commands mid-batch. A
// persistent worker's stream (exec_stdin) can also lose its output from some
// line on, or have a line garbled. Every
// sandbox it creates and destroys is a line in <state_dir>/events, so a test
// can check that nothing was left behind.
#include "json_config.hpp"
#include "shell.hpp"

#include <offload/plugin.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

namespace {

namespace fs = std::filesystem;
namespace ps = offload::plugin_support;
using offload::sdk::Failure;

/// Passes a command's output lines on, but from a given stdout line on
/// either drops them all (a stream cut off) or garbles that one line.
class LossySink {
public:
  explicit LossySink(const offload_sink* downstream)
      : m_sink{sizeof(offload_sink), 0, &LossySink::write, this}, m_downstream(downstream) {}
  LossySink(const LossySink&) = delete;
  LossySink& operator=(const LossySink&) = delete;

  void lose_after(uint64_t lines) { m_lose_from = lines; }
  void garble(uint64_t line) { m_garble = line; }
  const offload_sink* sink() const { return &m_sink; }

private:
  static int32_t write(void* data, uint32_t channel, const char* bytes, size_t len) {
    auto& self = *static_cast<LossySink*>(data);
    if (channel != OFFLOAD_CHANNEL_STDOUT) {
      return self.pass(channel, bytes, len);
    }
    const uint64_t line = self.m_lines++;
    if (self.m_lose_from && line >= *self.m_lose_from) {
      return OFFLOAD_OK;
    }
    std::string text(bytes, len);
    if (self.m_garble && line == *self.m_garble && !text.empty()) {
      text[text.size() / 2] = '\x01';
    }
    return self.pass(channel, text.data(), text.size());
  }

  int32_t pass(uint32_t channel, const char* bytes, size_t len) const {
    if (m_downstream == nullptr || m_downstream->write == nullptr) {
      return OFFLOAD_OK;
    }
    return m_downstream->write(m_downstream->data, channel, bytes, len);
  }

  offload_sink m_sink;
  const offload_sink* m_downstream;
  uint64_t m_lines = 0;
  std::optional<uint64_t> m_lose_from;
  std::optional<uint64_t> m_garble;
};

struct Rates {
  int64_t create = 0;
  int64_t exec = 0;
  int64_t download = 0;
  int64_t truncate = 0;
  int64_t wrong_exit = 0;
  int64_t die = 0;
  int64_t max_delay_ms = 0;
};

class FaultProvider {
public:
  struct Sandbox {
    std::string id;
    fs::path dir;
  };

  FaultProvider(const offload_host_v1* host, std::string_view config_json) : m_host(host) {
    const nlohmann::json config = ps::parse_object(config_json, "fault provider configuration");
    m_state_dir = ps::string_or(config, "state_dir", "");
    if (m_state_dir.empty() || !fs::is_directory(m_state_dir)) {
      throw Failure(OFFLOAD_EINVAL, "state_dir must be an existing directory", "state_dir");
    }
    m_random.seed(static_cast<std::mt19937_64::result_type>(ps::int_or(config, "seed", 1)));
    m_rates = {ps::int_or(config, "fail_create", 0), ps::int_or(config, "fail_exec", 0),
               ps::int_or(config, "fail_download", 0), ps::int_or(config, "truncate", 0),
               ps::int_or(config, "wrong_exit", 0), ps::int_or(config, "die", 0),
               ps::int_or(config, "max_delay_ms", 0)};
  }

  const offload_host_v1* host() const { return m_host; }

  std::string describe() { return ps::json_text({{"remote", false}}); }

  std::unique_ptr<Sandbox> create_sandbox(std::string_view request, std::string& info_json,
                                          const offload_cancel*) {
    const nlohmann::json req = ps::parse_object(request, "create_sandbox request");
    pause();
    if (chance(m_rates.create)) {
      throw Failure(OFFLOAD_EAGAIN, "injected fault: create failed");
    }
    auto sandbox = std::make_unique<Sandbox>();
    std::string pattern = (m_state_dir / "sb-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw Failure(OFFLOAD_EIO, "cannot make a sandbox directory");
    }
    sandbox->dir = pattern;
    sandbox->id = ps::string_or(req, "id", "") + "@" + sandbox->dir.filename().string();
    record("create " + sandbox->id);
    info_json = ps::json_text({{"id", sandbox->id}, {"scratch_dir", sandbox->dir.string()}});
    return sandbox;
  }

  int32_t exec(Sandbox& sandbox, std::string_view command, const offload_sink* output,
               const offload_cancel* cancel) {
    const nlohmann::json parsed = ps::parse_object(command, "exec command");
    pause();
    if (chance(m_rates.exec)) {
      throw Failure(OFFLOAD_EIO, "injected fault: exec failed before the command ran");
    }
    nlohmann::json spec = {{"argv", {"/bin/sh", "-c", ps::command_to_shell(parsed)}},
                           {"env", {{"TMPDIR", sandbox.dir.string()}}},
                           {"timeout_ms", ps::int_or(parsed, "timeout_ms", 0)}};
    const bool dies = chance(m_rates.die);
    if (dies) {
      spec["timeout_ms"] = 1 + static_cast<int64_t>(draw() % 300);
    }
    int32_t status = 0;
    try {
      status = offload::sdk::Host(m_host).run(ps::json_text(spec), output, cancel);
    } catch (const Failure& failure) {
      if (dies && failure.code() == OFFLOAD_ETIMEDOUT) {
        throw Failure(OFFLOAD_EIO, "injected fault: the sandbox died mid-batch");
      }
      throw;
    }
    if (chance(m_rates.truncate)) {
      truncate_results(sandbox.dir);
    }
    if (chance(m_rates.wrong_exit)) {
      status = status == 0 ? 1 + static_cast<int32_t>(draw() % 3) : 0;
    }
    return status;
  }

  int32_t exec_stdin(Sandbox& sandbox, std::string_view command, int32_t stdin_fd, const offload_sink* output,
                     const offload_cancel* cancel) {
    const nlohmann::json parsed = ps::parse_object(command, "exec command");
    pause();
    if (chance(m_rates.exec)) {
      throw Failure(OFFLOAD_EIO, "injected fault: the worker could not be started");
    }
    nlohmann::json spec = {{"argv", {"/bin/sh", "-c", ps::command_to_shell(parsed)}},
                           {"env", {{"TMPDIR", sandbox.dir.string()}}},
                           {"stdin_fd", stdin_fd}};
    const bool dies = chance(m_rates.die);
    if (dies) {
      spec["timeout_ms"] = 1 + static_cast<int64_t>(draw() % 300);
    }
    LossySink lossy(output);
    if (chance(m_rates.truncate)) {
      lossy.lose_after(draw() % 20);
    } else if (chance(m_rates.truncate)) {
      lossy.garble(draw() % 20);
    }
    int32_t status = 0;
    try {
      status = offload::sdk::Host(m_host).run(ps::json_text(spec), lossy.sink(), cancel);
    } catch (const Failure& failure) {
      if (dies && failure.code() == OFFLOAD_ETIMEDOUT) {
        throw Failure(OFFLOAD_EIO, "injected fault: the sandbox died under its worker");
      }
      throw;
    }
    if (chance(m_rates.wrong_exit)) {
      status = status == 0 ? 1 + static_cast<int32_t>(draw() % 3) : 0;
    }
    return status;
  }

  void download(Sandbox& sandbox, std::string_view request, const offload_cancel*) {
    const nlohmann::json req = ps::parse_object(request, "download request");
    pause();
    if (chance(m_rates.download)) {
      throw Failure(OFFLOAD_EIO, "injected fault: download failed");
    }
    for (const auto& file : req.at("files")) {
      const fs::path remote = file.at("remote").get<std::string>();
      const fs::path local = file.at("local").get<std::string>();
      std::error_code ec;
      if (!fs::is_regular_file(remote, ec)) {
        throw Failure(OFFLOAD_ENOENT, "result file " + remote.string() + " does not exist in " + sandbox.id);
      }
      fs::copy_file(remote, local, fs::copy_options::overwrite_existing, ec);
      if (ec) {
        throw Failure(OFFLOAD_EIO, "cannot copy " + remote.string() + ": " + ec.message());
      }
    }
  }

  void destroy_sandbox(Sandbox& sandbox) {
    std::error_code ec;
    fs::remove_all(sandbox.dir, ec);
    record("destroy " + sandbox.id);
  }

private:
  uint64_t draw() {
    const std::lock_guard lock(m_mutex);
    return m_random();
  }

  bool chance(int64_t percent) { return percent > 0 && static_cast<int64_t>(draw() % 100) < percent; }

  void pause() {
    if (m_rates.max_delay_ms > 0) {
      const auto ms = static_cast<int64_t>(draw() % static_cast<uint64_t>(m_rates.max_delay_ms + 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
  }

  // Cuts every XML file of the sandbox to a random part of itself, as a
  // copy broken off in the middle would.
  void truncate_results(const fs::path& dir) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".xml" && entry.is_regular_file(ec)) {
        const auto size = fs::file_size(entry.path(), ec);
        fs::resize_file(entry.path(), size == 0 ? 0 : draw() % size, ec);
      }
    }
  }

  void record(const std::string& event) {
    const std::lock_guard lock(m_mutex);
    std::ofstream(m_state_dir / "events", std::ios::app) << event << "\n";
  }

  const offload_host_v1* m_host;
  fs::path m_state_dir;
  Rates m_rates;
  std::mutex m_mutex;
  std::mt19937_64 m_random;
};

constexpr offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, OFFLOAD_OPTION_REQUIRED, 0, "state_dir", nullptr,
     "Existing directory for sandboxes and the events log"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "seed", "1", "Seed of every injected fault"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "fail_create", "0", "Percent of creates that fail"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "fail_exec", "0", "Percent of execs that fail"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "fail_download", "0", "Percent of downloads that fail"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "truncate", "0", "Percent of execs whose results are cut"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "wrong_exit", "0", "Percent of execs with a wrong status"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "die", "0", "Percent of execs killed mid-batch"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "max_delay_ms", "0", "Longest delay added to a call"},
};

const offload_factory k_factory = {
    sizeof(offload_factory),
    OFFLOAD_KIND_PROVIDER,
    "fault",
    "Local sandboxes that fail on purpose (tests only)",
    static_cast<uint32_t>(std::size(k_options)),
    0,
    k_options,
    "state_dir = \"/tmp\"\n",
    offload::sdk::provider_table<FaultProvider>(),
    &offload::sdk::create_instance<FaultProvider>,
};

} // namespace

extern "C" OFFLOAD_EXPORT int32_t offload_plugin_entry(uint32_t host_abi_version, const offload_host_v1*,
                                                       const offload_plugin_descriptor** out) noexcept {
  static const offload_factory* const factories[] = {&k_factory};
  static const offload_plugin_descriptor descriptor = {
      sizeof(offload_plugin_descriptor),
      OFFLOAD_ABI_VERSION,
      "fault",
      "0.1.0",
      "Fault injection for offload's own tests",
      1,
      0,
      factories,
  };
  return offload::sdk::answer_entry(host_abi_version, out, descriptor);
}
