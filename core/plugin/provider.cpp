// SPDX-License-Identifier: MIT
#include "plugin/instance.hpp"
#include "plugin/sink.hpp"

#include <spdlog/spdlog.h>

namespace offload::plugin {

Provider::Provider(const Factory& factory, void* self) : m_factory(factory), m_self(self) {
  if (table().describe == nullptr) {
    return;
  }
  std::string written;
  FunctionSink sink([&](uint32_t channel, std::string_view bytes) -> int32_t {
    if (channel == OFFLOAD_CHANNEL_DATA) {
      written.assign(bytes);
    }
    return OFFLOAD_OK;
  });
  offload_error err;
  if (const int32_t rc = table().describe(m_self, sink.get(), &err); rc != OFFLOAD_OK) {
    spdlog::warn("{}; taking {{}}", call_error(m_factory, err, rc, "describing the provider").message);
    return;
  }
  auto j = nlohmann::json::parse(written, nullptr, false);
  m_remote = j.is_object() && j.value("remote", false);
}

Provider::~Provider() {
  table().destroy(m_self);
}

const offload_provider_v1& Provider::table() const {
  return *static_cast<const offload_provider_v1*>(m_factory.raw->iface);
}

Result<std::optional<std::string>> Provider::prepare(bool no_cache, const std::vector<std::string>& copy_dirs,
                                                     const process::CancelToken& cancel) const {
  if (table().prepare == nullptr) {
    return std::optional<std::string>();
  }
  const std::string request = json_text({{"no_cache", no_cache}, {"copy_dirs", copy_dirs}});
  std::optional<std::string> image;
  FunctionSink sink([&](uint32_t channel, std::string_view bytes) -> int32_t {
    if (channel == OFFLOAD_CHANNEL_DATA) {
      image = std::string(bytes);
    }
    return OFFLOAD_OK;
  });
  offload_cancel token{cancel};
  offload_error err;
  const int32_t rc = table().prepare(m_self, request.data(), request.size(), sink.get(), &token, &err);
  if (rc != OFFLOAD_OK) {
    return call_error(m_factory, err, rc, "preparing the sandbox image");
  }
  return image;
}

Result<std::unique_ptr<Sandbox>> Provider::create_sandbox(const SandboxRequest& request,
                                                          const process::CancelToken& cancel) const {
  nlohmann::json req{{"id", request.name}, {"env", request.env}};
  if (request.image_id) {
    req["image_id"] = *request.image_id;
  }
  if (request.project_root) {
    req["project_root"] = *request.project_root;
  }
  const std::string text = json_text(req);
  std::string info_text;
  FunctionSink sink([&](uint32_t channel, std::string_view bytes) -> int32_t {
    if (channel == OFFLOAD_CHANNEL_DATA) {
      info_text.assign(bytes);
    }
    return OFFLOAD_OK;
  });
  offload_cancel token{cancel};
  offload_error err;
  offload_sandbox* handle = nullptr;
  const int32_t rc = table().create_sandbox(m_self, text.data(), text.size(), &handle, sink.get(), &token, &err);
  if (rc != OFFLOAD_OK || handle == nullptr) {
    return call_error(m_factory, err, rc != OFFLOAD_OK ? rc : OFFLOAD_EFAULT, "creating a sandbox");
  }
  auto info = nlohmann::json::parse(info_text, nullptr, false);
  const std::string id = info.is_object() ? info.value("id", request.name) : request.name;
  const std::string scratch = info.is_object() ? info.value("scratch_dir", "/tmp") : "/tmp";
  return std::make_unique<Sandbox>(*this, handle, request.name, id, scratch);
}

Sandbox::Sandbox(const Provider& provider, offload_sandbox* handle, std::string name, std::string id,
                 std::string scratch_dir)
    : m_provider(provider), m_handle(handle), m_name(std::move(name)), m_id(std::move(id)),
      m_scratch_dir(std::move(scratch_dir)) {}

Sandbox::~Sandbox() {
  offload_error err;
  const int32_t rc = m_provider.table().destroy_sandbox(m_provider.m_self, m_handle, &err);
  if (rc != OFFLOAD_OK) {
    spdlog::warn("{}", call_error(m_provider.factory(), err, rc, "destroying sandbox " + m_id).message);
  }
}

Result<ExecOutcome> Sandbox::exec(const nlohmann::json& command, const process::LineHandler& on_line,
                                  const process::CancelToken& cancel) const {
  return run_command(command, std::nullopt, on_line, cancel);
}

bool Sandbox::streams_stdin() const {
  return m_provider.table().exec_stdin != nullptr;
}

bool Provider::streams_stdin() const {
  return table().exec_stdin != nullptr;
}

Result<ExecOutcome> Sandbox::exec_stdin(const nlohmann::json& command, int stdin_fd,
                                        const process::LineHandler& on_line,
                                        const process::CancelToken& cancel) const {
  if (!streams_stdin()) {
    return coded_error(OFFLOAD_ENOTSUP, "provider '", m_provider.factory().name(),
                       "' cannot stream a command's stdin (exec_stdin)");
  }
  return run_command(command, stdin_fd, on_line, cancel);
}

Result<ExecOutcome> Sandbox::run_command(const nlohmann::json& command, std::optional<int> stdin_fd,
                                         const process::LineHandler& on_line,
                                         const process::CancelToken& cancel) const {
  const std::string text = json_text(command);
  FunctionSink sink([&](uint32_t channel, std::string_view line) -> int32_t {
    if (channel == OFFLOAD_CHANNEL_STDOUT) {
      on_line(process::Stream::Stdout, line);
    } else if (channel == OFFLOAD_CHANNEL_STDERR) {
      on_line(process::Stream::Stderr, line);
    }
    return OFFLOAD_OK;
  });
  offload_cancel token{cancel};
  offload_error err;
  int32_t status = -1;
  const auto& t = m_provider.table();
  const int32_t rc = stdin_fd ? t.exec_stdin(m_provider.m_self, m_handle, text.data(), text.size(), *stdin_fd,
                                             sink.get(), &token, &status, &err)
                              : t.exec(m_provider.m_self, m_handle, text.data(), text.size(), sink.get(), &token,
                                       &status, &err);
  switch (rc) {
  case OFFLOAD_OK: return ExecOutcome{process::Ending::Exited, status};
  case OFFLOAD_ETIMEDOUT: return ExecOutcome{process::Ending::TimedOut, -1};
  case OFFLOAD_ECANCELED: return ExecOutcome{process::Ending::Cancelled, -1};
  default:
    return call_error(m_provider.factory(), err, rc,
                      std::string(stdin_fd ? "running a worker" : "running a batch") + " in sandbox " + m_id);
  }
}

Result<Sandbox::Fetched> Sandbox::download(const std::vector<std::pair<std::string, std::string>>& files,
                                           const process::CancelToken& cancel) const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [remote, local] : files) {
    list.push_back({{"remote", remote}, {"local", local}});
  }
  const std::string text = json_text({{"files", std::move(list)}});
  offload_cancel token{cancel};
  offload_error err;
  const int32_t rc = m_provider.table().download(m_provider.m_self, m_handle, text.data(), text.size(), &token, &err);
  if (rc == OFFLOAD_ENOENT) {
    return Fetched::Missing;
  }
  if (rc != OFFLOAD_OK) {
    return call_error(m_provider.factory(), err, rc, "downloading results from sandbox " + m_id);
  }
  return Fetched::All;
}

} // namespace offload::plugin
