// SPDX-License-Identifier: MIT
#include "plugin/instance.hpp"
#include "plugin/sink.hpp"

namespace offload::plugin {

const char* error_code_name(int32_t code) {
  switch (code) {
  case OFFLOAD_OK: return "OFFLOAD_OK";
  case OFFLOAD_ENOENT: return "OFFLOAD_ENOENT";
  case OFFLOAD_EIO: return "OFFLOAD_EIO";
  case OFFLOAD_EAGAIN: return "OFFLOAD_EAGAIN";
  case OFFLOAD_ENOMEM: return "OFFLOAD_ENOMEM";
  case OFFLOAD_EFAULT: return "OFFLOAD_EFAULT";
  case OFFLOAD_EINVAL: return "OFFLOAD_EINVAL";
  case OFFLOAD_ENOTSUP: return "OFFLOAD_ENOTSUP";
  case OFFLOAD_ETIMEDOUT: return "OFFLOAD_ETIMEDOUT";
  case OFFLOAD_ECANCELED: return "OFFLOAD_ECANCELED";
  default: return "an unknown error code";
  }
}

Error call_error(const Factory& factory, const offload_error& err, int32_t rc, std::string_view what) {
  std::string reason = err.message.empty()
                           ? std::string("failed with ") + error_code_name(rc) + " (" + std::to_string(rc) + ")"
                           : err.message;
  Error e = make_error(what, " (", kind_name(factory.kind()), " '", factory.name(), "'): ", reason);
  e.code = rc;
  return e;
}

bool worth_retrying(const Error& error) {
  return error.code == OFFLOAD_EAGAIN || error.code == OFFLOAD_EIO;
}

Result<std::pair<void*, nlohmann::json>> create_instance(const Factory& factory,
                                                         const config::PluginSection& section) {
  const std::span<const offload_option> options(factory.raw->options, factory.raw->option_count);
  auto checked = config::check_plugin_section(section, options);
  if (!checked) {
    Error e = std::move(checked).error();
    e.code = e.code != 0 ? e.code : OFFLOAD_EINVAL; // the user's section breaks the plugin's option table
    return e;
  }
  const std::string text = json_text(*checked);
  offload_error err;
  void* self = nullptr;
  const int32_t rc = factory.raw->create(factory.host, text.data(), text.size(), &self, &err);
  if (rc != OFFLOAD_OK || self == nullptr) {
    const std::string where = config::to_string(section.where(err.key));
    const std::string key = err.key.empty() ? section.name : section.name + "." + err.key;
    std::string reason = err.message.empty() ? std::string("create failed with ") + error_code_name(rc) : err.message;
    return coded_error(rc != OFFLOAD_OK ? rc : OFFLOAD_EFAULT, where, ": ", key, ": ", reason);
  }
  return std::pair<void*, nlohmann::json>{self, std::move(*checked)};
}

} // namespace offload::plugin
