// SPDX-License-Identifier: MIT
#include "plugin/host.hpp"

#include "offload_config.h"
#include "process/max_timeout.hpp"
#include "process/process.hpp"
#include "util/paths.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <fcntl.h>

#include <cstdint>

#include <deque>
#include <mutex>
#include <utility>

namespace offload::plugin {
namespace {

// Standard layout with the table first, so a table pointer leads back here.
struct PluginHost {
  offload_host_v1 table;
  const std::string* plugin_name;
  std::mutex mutex;
  std::string last_error; ///< the last OFFLOAD_LOG_ERROR line, for take_logged_error
  bool holding = false;   ///< see hold_logged_errors
};

PluginHost& plugin_host(const offload_host_v1* host) {
  return *reinterpret_cast<PluginHost*>(const_cast<offload_host_v1*>(host));
}

const std::string& name_of(const offload_host_v1* host) {
  return *plugin_host(host).plugin_name;
}

void fail(offload_error* err, int32_t code, std::string message) {
  if (err != nullptr) {
    err->code = code;
    err->key.clear();
    err->message = std::move(message);
  }
}

void host_log(const offload_host_v1* host, uint32_t level, const char* msg, size_t len) {
  const std::string_view text(msg, len);
  const std::string& plugin = name_of(host);
  switch (level) {
  case OFFLOAD_LOG_ERROR: {
    PluginHost& h = plugin_host(host);
    const std::lock_guard lock(h.mutex);
    h.last_error.assign(text);
    if (h.holding) {
      spdlog::debug("[{}] {}", plugin, text);
    } else {
      spdlog::error("[{}] {}", plugin, text);
    }
    break;
  }
  case OFFLOAD_LOG_WARN: spdlog::warn("[{}] {}", plugin, text); break;
  case OFFLOAD_LOG_INFO: spdlog::info("[{}] {}", plugin, text); break;
  case OFFLOAD_LOG_DEBUG: spdlog::debug("[{}] {}", plugin, text); break;
  default: spdlog::trace("[{}] {}", plugin, text); break;
  }
}

void host_error_set(offload_error* err, int32_t code, const char* key, const char* msg, size_t len) {
  if (err == nullptr) {
    return;
  }
  err->code = code;
  err->key = key != nullptr ? key : "";
  err->message.assign(msg, len);
}

int32_t host_is_cancelled(const offload_cancel* cancel) {
  return cancel != nullptr && cancel->token.cancelled() ? 1 : 0;
}

Result<process::Spec> parse_spec(std::string_view json_text) {
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{"process spec is not a JSON object"};
  }
  process::Spec spec;
  const auto argv = j.find("argv");
  if (argv == j.end() || !argv->is_array() || argv->empty()) {
    return Error{"process spec needs a non-empty \"argv\" array"};
  }
  for (const auto& a : *argv) {
    if (!a.is_string()) {
      return Error{"process spec \"argv\" must hold strings"};
    }
    spec.argv.push_back(a.get<std::string>());
  }
  if (auto cwd = j.find("cwd"); cwd != j.end() && cwd->is_string()) {
    spec.cwd = cwd->get<std::string>();
  }
  if (auto env = j.find("env"); env != j.end() && env->is_object()) {
    for (const auto& [k, v] : env->items()) {
      if (!v.is_string()) {
        return Error{"process spec \"env\" value of '" + k + "' is not a string"};
      }
      spec.env[k] = v.get<std::string>();
    }
  }
  if (auto in = j.find("stdin"); in != j.end() && in->is_string()) {
    spec.stdin_text = in->get<std::string>();
  }
  if (auto fd = j.find("stdin_fd"); fd != j.end()) {
    if (!fd->is_number_integer() || spec.stdin_text) {
      return Error{"process spec \"stdin_fd\" must be an integer file descriptor, without \"stdin\""};
    }
    const int64_t n = fd->get<int64_t>();
    if (n < 0 || n > INT32_MAX || fcntl(static_cast<int>(n), F_GETFD) < 0) {
      return Error{"process spec \"stdin_fd\" " + std::to_string(n) + " is not an open file descriptor"};
    }
    spec.stdin_fd = static_cast<int>(n);
  }
  if (auto t = j.find("timeout_ms"); t != j.end() && t->is_number_integer()) {
    // Compared wide: a huge value must neither wrap to a negative (no
    // timeout at all) nor overflow the clock's nanoseconds.
    const auto most = std::chrono::duration_cast<std::chrono::milliseconds>(process::k_max_timeout).count();
    if (t->is_number_unsigned() ? t->get<uint64_t>() > static_cast<uint64_t>(most) : t->get<int64_t>() > most) {
      return Error{"process spec \"timeout_ms\" " + t->dump() + " is longer than the longest timeout, " +
                   std::to_string(most) + " ms"};
    }
    if (t->get<int64_t>() > 0) {
      spec.timeout = std::chrono::milliseconds(t->get<int64_t>());
    }
  }
  return spec;
}

int32_t host_process_run(const offload_host_v1*, const char* spec_json, size_t spec_len,
                         const offload_sink* output, const offload_cancel* cancel,
                         int32_t* exit_status, offload_error* err) {
  if (exit_status != nullptr) {
    *exit_status = -1;
  }
  try {
    auto spec = parse_spec(std::string_view(spec_json, spec_len));
    if (!spec) {
      fail(err, OFFLOAD_EINVAL, spec.error().message);
      return OFFLOAD_EINVAL;
    }
    // A receiver that asks to stop ends the process through this token.
    const process::CancelToken stop = cancel != nullptr ? cancel->token.child() : process::CancelToken();
    int32_t sink_rc = OFFLOAD_OK;
    const auto on_line = [&](process::Stream stream, std::string_view line) {
      if (output == nullptr || output->write == nullptr || sink_rc != OFFLOAD_OK) {
        return;
      }
      const uint32_t channel =
          stream == process::Stream::Stdout ? OFFLOAD_CHANNEL_STDOUT : OFFLOAD_CHANNEL_STDERR;
      sink_rc = output->write(output->data, channel, line.data(), line.size());
      if (sink_rc != OFFLOAD_OK) {
        stop.cancel();
      }
    };
    auto outcome = process::run(*spec, on_line, &stop);
    if (!outcome) {
      fail(err, OFFLOAD_ENOENT, outcome.error().message);
      return OFFLOAD_ENOENT;
    }
    if (sink_rc != OFFLOAD_OK) {
      fail(err, sink_rc, "output receiver stopped '" + spec->argv[0] + "'");
      return sink_rc;
    }
    switch (outcome->ending) {
    case process::Ending::Exited:
      if (exit_status != nullptr) {
        *exit_status = outcome->exit_status;
      }
      return OFFLOAD_OK;
    case process::Ending::TimedOut:
      fail(err, OFFLOAD_ETIMEDOUT,
           "'" + spec->argv[0] + "' timed out after " + std::to_string(spec->timeout.count()) + " ms");
      return OFFLOAD_ETIMEDOUT;
    case process::Ending::Cancelled:
      fail(err, OFFLOAD_ECANCELED, "'" + spec->argv[0] + "' was cancelled");
      return OFFLOAD_ECANCELED;
    }
    return OFFLOAD_EFAULT;
  } catch (const std::exception& e) {
    fail(err, OFFLOAD_EFAULT, std::string("process_run: ") + e.what());
    return OFFLOAD_EFAULT;
  }
}

int32_t host_bundled_script(const offload_host_v1*, const char* name, const offload_sink* path,
                            offload_error* err) {
  try {
    const auto found = find_bundled(name != nullptr ? name : "");
    if (found.empty()) {
      std::string known;
      for (const auto& dir : bundled_dirs()) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
          known += (known.empty() ? "" : ", ") + entry.path().filename().string();
        }
      }
      fail(err, OFFLOAD_ENOENT,
           "no bundled script '" + std::string(name != nullptr ? name : "") + "' (known: " +
               (known.empty() ? "none" : known) + ")");
      return OFFLOAD_ENOENT;
    }
    const std::string text = found.string();
    return path != nullptr ? path->write(path->data, OFFLOAD_CHANNEL_DATA, text.data(), text.size())
                           : OFFLOAD_OK;
  } catch (const std::exception& e) {
    fail(err, OFFLOAD_EFAULT, std::string("bundled_script: ") + e.what());
    return OFFLOAD_EFAULT;
  }
}

} // namespace

const offload_host_v1* host_table(std::string_view plugin_name) {
  static std::mutex mutex;
  static std::deque<std::string> names;
  static std::deque<PluginHost> hosts;
  const std::lock_guard lock(mutex);
  for (const auto& h : hosts) {
    if (*h.plugin_name == plugin_name) {
      return &h.table;
    }
  }
  names.emplace_back(plugin_name);
  PluginHost& h = hosts.emplace_back();
  h.plugin_name = &names.back();
  h.table.struct_size = sizeof(offload_host_v1);
  h.table.abi_version = OFFLOAD_ABI_VERSION;
  h.table.log = &host_log;
  h.table.error_set = &host_error_set;
  h.table.is_cancelled = &host_is_cancelled;
  h.table.process_run = &host_process_run;
  h.table.bundled_script = &host_bundled_script;
  return &h.table;
}

void hold_logged_errors(const offload_host_v1* host) {
  PluginHost& h = plugin_host(host);
  const std::lock_guard lock(h.mutex);
  h.holding = true;
  h.last_error.clear();
}

std::string take_logged_error(const offload_host_v1* host) {
  PluginHost& h = plugin_host(host);
  const std::lock_guard lock(h.mutex);
  h.holding = false;
  return std::exchange(h.last_error, std::string());
}

std::vector<std::filesystem::path> bundled_dirs() {
  std::vector<std::filesystem::path> dirs;
  if (auto dir = util::env("OFFLOAD_BUNDLED_DIR")) {
    dirs.emplace_back(*dir);
  }
  dirs.push_back(util::executable_dir().parent_path() / "bundled");
  dirs.emplace_back(OFFLOAD_BUNDLEDDIR);
  return dirs;
}

std::filesystem::path find_bundled(std::string_view name) {
  // Names only: "../x" must not reach outside the bundled directories.
  if (name.empty() || name.find('/') != std::string_view::npos || name.front() == '.') {
    return {};
  }
  for (const auto& dir : bundled_dirs()) {
    std::error_code ec;
    const auto candidate = dir / name;
    if (std::filesystem::is_regular_file(candidate, ec)) {
      return std::filesystem::absolute(candidate, ec);
    }
  }
  return {};
}

} // namespace offload::plugin
