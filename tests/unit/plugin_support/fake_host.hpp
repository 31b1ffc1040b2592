// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>
#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <cstdlib>
#include <string>
#include <vector>

namespace offload::plugin_support::testing {

/// A host table for driving plugin classes without the core: it records logs
/// and errors, and its process_run really runs the process (no timeouts, no
/// process groups) so plugin code meets real shells. One at a time.
class FakeHost {
public:
  struct Logged {
    uint32_t level;
    std::string message;
  };
  struct Error {
    int32_t code;
    std::string key;
    std::string message;
  };

  FakeHost();
  ~FakeHost();
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  const offload_host_v1* table() const noexcept { return &m_table; }
  /// An error slot to hand to plugin calls; error_set on it fills errors().
  offload_error* error_slot() noexcept { return reinterpret_cast<offload_error*>(this); }

  const std::vector<Logged>& logs() const noexcept { return m_logs; }
  const std::vector<Error>& errors() const noexcept { return m_errors; }
  /// Every spec process_run was given, parsed.
  const std::vector<nlohmann::json>& specs() const noexcept { return m_specs; }

private:
  static FakeHost& current();
  static void log(const offload_host_v1* host, uint32_t level, const char* msg, size_t len);
  static void error_set(offload_error* err, int32_t code, const char* key, const char* msg, size_t len);
  static int32_t is_cancelled(const offload_cancel* cancel);
  static int32_t process_run(const offload_host_v1* host, const char* spec_json, size_t spec_len,
                             const offload_sink* output, const offload_cancel* cancel,
                             int32_t* exit_status, offload_error* err);
  static int32_t bundled_script(const offload_host_v1* host, const char* name, const offload_sink* path,
                                offload_error* err);

  offload_host_v1 m_table{};
  std::filesystem::path m_capture_dir;
  std::vector<Logged> m_logs;
  std::vector<Error> m_errors;
  std::vector<nlohmann::json> m_specs;
};

/// A fresh directory under the system temp dir, removed with its contents.
class ScratchDir {
public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const noexcept { return m_path; }

private:
  std::filesystem::path m_path;
};

/// Runs `script` with /bin/sh -c and returns its standard output.
std::string sh_output(const std::string& script);

/// The lines of `text`, without their line ends.
std::vector<std::string> lines_of(const std::string& text);

/// Runs `script` with /bin/sh -c and returns its exit status.
int sh_status(const std::string& script);

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& text);

/// Sets an environment variable for one test and puts the old value back.
class EnvOverride {
public:
  EnvOverride(const char* name, const std::string& value) : m_name(name) {
    if (const char* old = std::getenv(name)) {
      m_old = old;
    }
    ::setenv(name, value.c_str(), 1);
  }
  ~EnvOverride() {
    if (m_old) {
      ::setenv(m_name, m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name);
    }
  }
  EnvOverride(const EnvOverride&) = delete;
  EnvOverride& operator=(const EnvOverride&) = delete;

private:
  const char* m_name;
  std::optional<std::string> m_old;
};

/// The sdk::Failure `call` throws, or a failure with code 0 when it throws none.
template <class Call>
sdk::Failure failure_of(Call&& call) {
  try {
    call();
  } catch (const sdk::Failure& failure) {
    return failure;
  }
  return sdk::Failure(0, "no failure");
}

/// The failure a `Plugin` (constructed from a host table and its
/// configuration's JSON text, as every plugin class is) throws for `config`.
template <class Plugin>
sdk::Failure creation_failure(const FakeHost& host, const nlohmann::json& config) {
  return failure_of([&] { Plugin plugin(host.table(), config.dump()); });
}

template <class Plugin>
sdk::Failure creation_failure(const nlohmann::json& config) {
  FakeHost host;
  return creation_failure<Plugin>(host, config);
}

} // namespace offload::plugin_support::testing
