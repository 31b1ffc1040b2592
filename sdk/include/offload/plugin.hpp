// SPDX-License-Identifier: MIT
//
// Optional header-only C++20 helper for writing offload plugins in C++.
//
// It turns a plain C++ class into the C function tables of plugin.h: every
// trampoline is noexcept, converts sdk::Failure into its error code and any
// other exception into OFFLOAD_EFAULT, and hands the message to the host.
// Nothing here crosses the ABI; a plugin that uses this header still exports
// only offload_plugin_entry.
#pragma once

#include <offload/plugin.h>

#include <concepts>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace offload::sdk {

/// Thrown by plugin code to fail the current call with `code` (a negative
/// OFFLOAD_E*) and a one-line message; `key` names the config key at fault.
class Failure : public std::exception {
public:
  Failure(int32_t code, std::string message, std::string key = {})
      : m_code(code), m_message(std::move(message)), m_key(std::move(key)) {}
  /// A failure whose message the host already holds (it came from a host service).
  static Failure reported(int32_t code) {
    Failure f(code, "reported by the host");
    f.m_reported = true;
    return f;
  }
  int32_t code() const noexcept { return m_code; }
  const std::string& key() const noexcept { return m_key; }
  bool already_reported() const noexcept { return m_reported; }
  const char* what() const noexcept override { return m_message.c_str(); }

private:
  int32_t m_code;
  std::string m_message;
  std::string m_key;
  bool m_reported = false;
};

namespace detail {
// The error slot of the plugin call running on this thread, so host services
// called deep inside plugin code can write their reason straight into it.
inline thread_local offload_error* t_current_error = nullptr;

class CurrentError {
public:
  explicit CurrentError(offload_error* err) noexcept : m_saved(t_current_error) { t_current_error = err; }
  ~CurrentError() { t_current_error = m_saved; }
  CurrentError(const CurrentError&) = delete;
  CurrentError& operator=(const CurrentError&) = delete;

private:
  offload_error* m_saved;
};
} // namespace detail

/// Writes one unit to a sink; throws Failure when the receiver asks to stop.
inline void emit(const offload_sink* sink, uint32_t channel, std::string_view bytes) {
  if (sink == nullptr || sink->write == nullptr) {
    return;
  }
  const int32_t rc = sink->write(sink->data, channel, bytes.data(), bytes.size());
  if (rc != OFFLOAD_OK) {
    throw Failure(rc, "output receiver stopped the call");
  }
}

/// Runs `body`, mapping exceptions to an error code reported through `err`.
template <class Body>
int32_t guard(const offload_host_v1* host, offload_error* err, Body&& body) noexcept {
  auto report = [&](int32_t code, const char* key, const char* msg) {
    if (host != nullptr && err != nullptr) {
      host->error_set(err, code, key, msg, std::strlen(msg));
    }
    return code;
  };
  detail::CurrentError scope(err);
  try {
    body();
    return OFFLOAD_OK;
  } catch (const Failure& f) {
    if (f.already_reported()) {
      return f.code();
    }
    return report(f.code(), f.key().empty() ? nullptr : f.key().c_str(), f.what());
  } catch (const std::bad_alloc&) {
    return report(OFFLOAD_ENOMEM, nullptr, "out of memory");
  } catch (const std::exception& e) {
    return report(OFFLOAD_EFAULT, nullptr, e.what());
  } catch (...) {
    return report(OFFLOAD_EFAULT, nullptr, "unknown exception in plugin");
  }
}

/// A sink that keeps what is written to it, split by channel.
class Collector {
public:
  Collector() {
    m_sink.struct_size = sizeof(offload_sink);
    m_sink.reserved = 0;
    m_sink.write = &Collector::write;
    m_sink.data = this;
  }
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  const offload_sink* sink() const noexcept { return &m_sink; }
  const std::vector<std::string>& data() const noexcept { return m_data; }
  const std::vector<std::string>& out() const noexcept { return m_out; }
  const std::vector<std::string>& err() const noexcept { return m_err; }

private:
  static int32_t write(void* self, uint32_t channel, const char* bytes, size_t len) {
    auto* c = static_cast<Collector*>(self);
    try {
      std::string line(bytes, len);
      switch (channel) {
      case OFFLOAD_CHANNEL_STDOUT: c->m_out.push_back(std::move(line)); break;
      case OFFLOAD_CHANNEL_STDERR: c->m_err.push_back(std::move(line)); break;
      default: c->m_data.push_back(std::move(line)); break;
      }
      return OFFLOAD_OK;
    } catch (...) {
      return OFFLOAD_ENOMEM;
    }
  }

  offload_sink m_sink;
  std::vector<std::string> m_data;
  std::vector<std::string> m_out;
  std::vector<std::string> m_err;
};

/// Thin C++ face of the host table.
class Host {
public:
  explicit Host(const offload_host_v1* host) : m_host(host) {}
  const offload_host_v1* get() const noexcept { return m_host; }

  void log(uint32_t level, std::string_view msg) const noexcept {
    m_host->log(m_host, level, msg.data(), msg.size());
  }

  bool cancelled(const offload_cancel* cancel) const noexcept {
    return m_host->is_cancelled(cancel) != 0;
  }

  /// host->process_run; returns the exit status. When the process could not
  /// run to its end, throws a Failure whose message the host has already
  /// written into the current call's error slot. Call only inside guard().
  int32_t run(std::string_view spec_json, const offload_sink* output,
              const offload_cancel* cancel) const {
    int32_t status = -1;
    const int32_t rc = m_host->process_run(m_host, spec_json.data(), spec_json.size(), output,
                                           cancel, &status, detail::t_current_error);
    if (rc != OFFLOAD_OK) {
      throw Failure::reported(rc);
    }
    return status;
  }

  /// Absolute path of a bundled script; throws like run() when unknown.
  std::string bundled_script(const std::string& name) const {
    Collector path;
    const int32_t rc = m_host->bundled_script(m_host, name.c_str(), path.sink(), detail::t_current_error);
    if (rc != OFFLOAD_OK) {
      throw Failure::reported(rc);
    }
    if (path.data().empty()) {
      throw Failure(OFFLOAD_ENOENT, "bundled script '" + name + "' has no path");
    }
    return path.data().front();
  }

private:
  const offload_host_v1* m_host;
};

/// The whole job of offload_plugin_entry for a plugin with a static
/// descriptor: refuse a host of another ABI major, else hand the descriptor out.
inline int32_t answer_entry(uint32_t host_abi_version, const offload_plugin_descriptor** out,
                            const offload_plugin_descriptor& descriptor) noexcept {
  if (OFFLOAD_ABI_VERSION_MAJOR(host_abi_version) != OFFLOAD_ABI_MAJOR) {
    return OFFLOAD_ENOTSUP;
  }
  if (out == nullptr) {
    return OFFLOAD_EINVAL;
  }
  *out = &descriptor;
  return OFFLOAD_OK;
}

namespace detail {
template <class T>
T& self_of(void* self) {
  return *static_cast<T*>(self);
}

template <class T>
concept Prepares = requires(T t, std::string_view request, const offload_cancel* cancel) {
  { t.prepare(request, cancel) } -> std::convertible_to<std::optional<std::string>>;
};

template <class T>
concept ConvertsReports = requires(T t, std::string_view data) {
  { t.convert_report(data) } -> std::convertible_to<std::string>;
};

template <class T>
concept StreamsStdin = requires(T t, typename T::Sandbox& sandbox, std::string_view command, int32_t fd,
                                const offload_sink* output, const offload_cancel* cancel) {
  { t.exec_stdin(sandbox, command, fd, output, cancel) } -> std::convertible_to<int32_t>;
};

template <class T>
concept BuildsWorkers = requires(T t, std::string_view request) {
  { t.build_worker_command(request) } -> std::convertible_to<std::string>;
};

// The optional slots are filled only for classes that have the method, so
// the host sees NULL ("not supported") for the others.
template <class T>
constexpr decltype(offload_provider_v1::prepare) prepare_slot() noexcept {
  if constexpr (Prepares<T>) {
    return [](void* self, const char* req, size_t len, const offload_sink* image_id,
              const offload_cancel* cancel, offload_error* err) noexcept -> int32_t {
      T& t = self_of<T>(self);
      return guard(t.host(), err, [&] {
        if (auto id = t.prepare(std::string_view(req, len), cancel)) {
          emit(image_id, OFFLOAD_CHANNEL_DATA, *id);
        }
      });
    };
  } else {
    return nullptr;
  }
}

template <class T>
constexpr decltype(offload_provider_v1::exec_stdin) exec_stdin_slot() noexcept {
  if constexpr (StreamsStdin<T>) {
    return [](void* self, offload_sandbox* sb, const char* cmd, size_t len, int32_t stdin_fd,
              const offload_sink* output, const offload_cancel* cancel, int32_t* exit_status,
              offload_error* err) noexcept -> int32_t {
      T& t = self_of<T>(self);
      *exit_status = -1;
      return guard(t.host(), err, [&] {
        *exit_status = t.exec_stdin(*reinterpret_cast<typename T::Sandbox*>(sb), std::string_view(cmd, len),
                                    stdin_fd, output, cancel);
      });
    };
  } else {
    return nullptr;
  }
}

template <class T>
constexpr decltype(offload_framework_v1::build_worker_command) build_worker_command_slot() noexcept {
  if constexpr (BuildsWorkers<T>) {
    return [](void* self, const char* req, size_t len, const offload_sink* command,
              offload_error* err) noexcept -> int32_t {
      T& t = self_of<T>(self);
      return guard(t.host(), err, [&] {
        emit(command, OFFLOAD_CHANNEL_DATA, t.build_worker_command(std::string_view(req, len)));
      });
    };
  } else {
    return nullptr;
  }
}

template <class T>
constexpr decltype(offload_framework_v1::convert_report) convert_report_slot() noexcept {
  if constexpr (ConvertsReports<T>) {
    return [](void* self, const char* data, size_t len, const offload_sink* junit,
              offload_error* err) noexcept -> int32_t {
      T& t = self_of<T>(self);
      return guard(t.host(), err, [&] {
        emit(junit, OFFLOAD_CHANNEL_DATA, t.convert_report(std::string_view(data, len)));
      });
    };
  } else {
    return nullptr;
  }
}
} // namespace detail

/// Factory `create` for an instance class T constructible from
/// (const offload_host_v1*, std::string_view config_json).
template <class T>
int32_t create_instance(const offload_host_v1* host, const char* config, size_t len, void** self,
                        offload_error* err) noexcept {
  return guard(host, err, [&] {
    auto instance = std::make_unique<T>(host, std::string_view(config, len));
    *self = instance.release();
  });
}

template <class T>
void destroy_instance(void* self) noexcept {
  std::unique_ptr<T> owned(static_cast<T*>(self));
}

/// Provider table for class T. T must have:
///   const offload_host_v1* host() const;
///   struct Sandbox;  (any type; owned through the C handle)
///   std::string describe();
///   std::unique_ptr<Sandbox> create_sandbox(std::string_view request, std::string& info_json,
///                                           const offload_cancel*);
///   int32_t exec(Sandbox&, std::string_view command, const offload_sink* output,
///                const offload_cancel*);
///   void download(Sandbox&, std::string_view request, const offload_cancel*);
///   void destroy_sandbox(Sandbox&);
/// and optionally (each slot stays NULL without its method):
///   std::optional<std::string> prepare(std::string_view request, const offload_cancel*);
///   int32_t exec_stdin(Sandbox&, std::string_view command, int32_t stdin_fd,
///                      const offload_sink* output, const offload_cancel*);  (since 1.1;
///                      returns the exit status, like exec; must not close stdin_fd)
template <class T>
const offload_provider_v1* provider_table() noexcept {
  using Sandbox = typename T::Sandbox;
  static const offload_provider_v1 table = {
      sizeof(offload_provider_v1),
      0,
      [](void* self, const offload_sink* out, offload_error* err) noexcept -> int32_t {
        T& t = detail::self_of<T>(self);
        return guard(t.host(), err, [&] { emit(out, OFFLOAD_CHANNEL_DATA, t.describe()); });
      },
      detail::prepare_slot<T>(),
      [](void* self, const char* req, size_t len, offload_sandbox** out, const offload_sink* info,
         const offload_cancel* cancel, offload_error* err) noexcept -> int32_t {
        T& t = detail::self_of<T>(self);
        return guard(t.host(), err, [&] {
          std::string info_json;
          std::unique_ptr<Sandbox> sandbox = t.create_sandbox(std::string_view(req, len), info_json, cancel);
          try {
            emit(info, OFFLOAD_CHANNEL_DATA, info_json);
          } catch (...) {
            t.destroy_sandbox(*sandbox);
            throw;
          }
          *out = reinterpret_cast<offload_sandbox*>(sandbox.release());
        });
      },
      [](void* self, offload_sandbox* sb, const char* cmd, size_t len, const offload_sink* output,
         const offload_cancel* cancel, int32_t* exit_status, offload_error* err) noexcept -> int32_t {
        T& t = detail::self_of<T>(self);
        *exit_status = -1;
        return guard(t.host(), err, [&] {
          *exit_status = t.exec(*reinterpret_cast<Sandbox*>(sb), std::string_view(cmd, len), output, cancel);
        });
      },
      [](void* self, offload_sandbox* sb, const char* req, size_t len, const offload_cancel* cancel,
         offload_error* err) noexcept -> int32_t {
        T& t = detail::self_of<T>(self);
        return guard(t.host(), err, [&] {
          t.download(*reinterpret_cast<Sandbox*>(sb), std::string_view(req, len), cancel);
        });
      },
      [](void* self, offload_sandbox* sb, offload_error* err) noexcept -> int32_t {
        T& t = detail::self_of<T>(self);
        std::unique_ptr<Sandbox> owned(reinterpret_cast<Sandbox*>(sb));
        return guard(t.host(), err, [&] { t.destroy_sandbox(*owned); });
      },
      &destroy_instance<T>,
      detail::exec_stdin_slot<T>(),
  };
  return &table;
}

/// Framework table for class T. T must have:
///   const offload_host_v1* host() const;
///   std::string describe();
///   void discover(std::string_view request, const offload_sink* tests, const offload_cancel*);
///   std::string build_command(std::string_view request);
///   std::string map_results(std::string_view request);
/// and optionally (each slot stays NULL without its method):
///   std::string convert_report(std::string_view data);  when it converts result files
///   std::string build_worker_command(std::string_view request);  (since 1.1; throw
///                      Failure(OFFLOAD_ENOTSUP, ...) when this configuration has no worker)
template <class T>
const offload_framework_v1* framework_table() noexcept {
  static const offload_framework_v1 table = {
      sizeof(offload_framework_v1),
      0,
      [](void* self, const offload_sink* out, offload_error* err) noexcept -> int32_t {
        T& t = detail::self_of<T>(self);
        return guard(t.host(), err, [&] { emit(out, OFFLOAD_CHANNEL_DATA, t.describe()); });
      },
      [](void* self, const char* req, size_t len, const offload_sink* tests,
         const offload_cancel* cancel, offload_error* err) noexcept -> int32_t {
        T& t = detail::self_of<T>(self);
        return guard(t.host(), err, [&] { t.discover(std::string_view(req, len), tests, cancel); });
      },
      [](void* self, const char* req, size_t len, const offload_sink* command,
         offload_error* err) noexcept -> int32_t {
        T& t = detail::self_of<T>(self);
        return guard(t.host(), err, [&] {
          emit(command, OFFLOAD_CHANNEL_DATA, t.build_command(std::string_view(req, len)));
        });
      },
      detail::convert_report_slot<T>(),
      [](void* self, const char* req, size_t len, const offload_sink* ids,
         offload_error* err) noexcept -> int32_t {
        T& t = detail::self_of<T>(self);
        return guard(t.host(), err, [&] {
          emit(ids, OFFLOAD_CHANNEL_DATA, t.map_results(std::string_view(req, len)));
        });
      },
      &destroy_instance<T>,
      detail::build_worker_command_slot<T>(),
  };
  return &table;
}

} // namespace offload::sdk
