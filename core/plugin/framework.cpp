// SPDX-License-Identifier: MIT
#include "plugin/instance.hpp"
#include "plugin/sink.hpp"

#include <spdlog/spdlog.h>

namespace offload::plugin {
namespace {

// Collects everything written on the DATA channel.
auto collect_into(std::vector<std::string>& out) {
  return [&out](uint32_t channel, std::string_view bytes) -> int32_t {
    if (channel == OFFLOAD_CHANNEL_DATA) {
      out.emplace_back(bytes);
    }
    return OFFLOAD_OK;
  };
}

Result<nlohmann::json> single_json(const std::vector<std::string>& written, std::string_view what) {
  if (written.size() != 1) {
    return coded_error(OFFLOAD_EFAULT, what, " wrote ", std::to_string(written.size()), " documents, expected 1");
  }
  auto j = nlohmann::json::parse(written.front(), nullptr, false);
  if (j.is_discarded()) {
    return coded_error(OFFLOAD_EFAULT, what, " wrote invalid JSON: ", written.front().substr(0, 200));
  }
  return j;
}

} // namespace

Framework::Framework(const Factory& factory, void* self) : m_factory(factory), m_self(self) {
  if (table().describe == nullptr) {
    return;
  }
  std::vector<std::string> written;
  FunctionSink sink(collect_into(written));
  offload_error err;
  if (const int32_t rc = table().describe(m_self, sink.get(), &err); rc != OFFLOAD_OK) {
    spdlog::warn("{}; taking {{\"results\": \"junit\"}}",
                 call_error(m_factory, err, rc, "describing the framework").message);
    return;
  }
  if (written.size() == 1) {
    auto j = nlohmann::json::parse(written.front(), nullptr, false);
    if (j.is_object() && j.value("results", "junit") == "exit_code") {
      m_result_files = false;
    }
    if (const auto benign = j.is_object() ? j.find("benign_exit_statuses") : j.end();
        benign != j.end() && benign->is_array()) {
      for (const auto& status : *benign) {
        if (status.is_number_integer()) {
          m_benign_exit_statuses.insert(status.get<int>());
        }
      }
    }
    if (j.is_object() && j.contains("fixed_result_file") && j["fixed_result_file"].is_string()) {
      m_fixed_result_file = j["fixed_result_file"].get<std::string>();
    }
    const auto wd = j.is_object() ? j.find("worker_discovery") : j.end();
    m_worker_discovery = wd != j.end() && wd->is_boolean() && wd->get<bool>();
  }
}

Framework::~Framework() {
  table().destroy(m_self);
}

const offload_framework_v1& Framework::table() const {
  return *static_cast<const offload_framework_v1*>(m_factory.raw->iface);
}

Result<std::vector<DiscoveredTest>> Framework::discover(const std::string& group, const std::string& filters,
                                                        const process::CancelToken& cancel, bool files_only) const {
  nlohmann::json req{{"group", group}, {"filters", filters}};
  files_only = files_only && m_worker_discovery;
  if (files_only) {
    req["files_only"] = true;
  }
  const std::string request = json_text(req);
  std::vector<DiscoveredTest> tests;
  std::string bad_record;
  FunctionSink sink([&](uint32_t channel, std::string_view bytes) -> int32_t {
    if (channel != OFFLOAD_CHANNEL_DATA) {
      return OFFLOAD_OK;
    }
    auto j = nlohmann::json::parse(bytes, nullptr, false);
    const bool has_id = j.is_object() && j.contains("id") && j["id"].is_string() && !j["id"].get<std::string>().empty();
    // Asked for files, a plugin may write a file record (no "id"), or list
    // tests after all; one kind per call.
    const bool file_record = files_only && j.is_object() && !j.contains("id") && j.contains("file") &&
                             j["file"].is_string() && !j["file"].get<std::string>().empty() &&
                             (tests.empty() || tests.front().id.empty());
    if ((!has_id && !file_record) || (has_id && !tests.empty() && tests.front().id.empty())) {
      bad_record = std::string(bytes.substr(0, 200));
      return OFFLOAD_EINVAL;
    }
    DiscoveredTest t{has_id ? j["id"].get<std::string>() : std::string(), std::nullopt, {}, {}};
    if (auto f = j.find("file"); f != j.end() && f->is_string()) {
      t.file = f->get<std::string>();
    }
    // Both or neither: a name without its classname is no place in a tree.
    const auto c = j.find("classname");
    const auto n = j.find("name");
    if (c != j.end() && n != j.end() && c->is_string() && n->is_string() && !n->get<std::string>().empty()) {
      t.classname = c->get<std::string>();
      t.name = n->get<std::string>();
    }
    tests.push_back(std::move(t));
    return OFFLOAD_OK;
  });
  offload_cancel token{cancel};
  offload_error err;
  const int32_t rc = table().discover(m_self, request.data(), request.size(), sink.get(), &token, &err);
  if (!bad_record.empty()) {
    return coded_error(OFFLOAD_EFAULT, "discovery for group '", group, "' (framework '", m_factory.name(),
                      "') produced a record without a string \"id\"",
                      files_only ? " (nor a file record of a files_only listing alone)" : "", ": ", bad_record);
  }
  if (rc != OFFLOAD_OK) {
    return call_error(m_factory, err, rc, "discovery for group '" + group + "'");
  }
  return tests;
}

Result<BatchCommand> Framework::build_command(const std::vector<std::string>& tests,
                                              const std::string& result_file, bool fail_fast) const {
  const std::string request =
      json_text({{"tests", tests}, {"result_file", result_file}, {"fail_fast", fail_fast}});
  std::vector<std::string> written;
  FunctionSink sink(collect_into(written));
  offload_error err;
  const int32_t rc = table().build_command(m_self, request.data(), request.size(), sink.get(), &err);
  if (rc != OFFLOAD_OK) {
    return call_error(m_factory, err, rc, "building the batch command");
  }
  return command_from(written, "build_command");
}

Result<std::optional<BatchCommand>> Framework::worker_command(const nlohmann::json& request) const {
  if (table().build_worker_command == nullptr) {
    return std::optional<BatchCommand>();
  }
  const std::string text = json_text(request);
  std::vector<std::string> written;
  FunctionSink sink(collect_into(written));
  offload_error err;
  const int32_t rc = table().build_worker_command(m_self, text.data(), text.size(), sink.get(), &err);
  if (rc == OFFLOAD_ENOTSUP) {
    return std::optional<BatchCommand>();
  }
  if (rc != OFFLOAD_OK) {
    return call_error(m_factory, err, rc, "building the worker command");
  }
  auto cmd = command_from(written, "build_worker_command");
  if (!cmd) {
    return std::move(cmd).error();
  }
  cmd->result_file.reset();
  return std::optional<BatchCommand>(std::move(*cmd));
}

Result<BatchCommand> Framework::command_from(const std::vector<std::string>& written, std::string_view call) const {
  auto spec = single_json(written, call);
  if (!spec) {
    return std::move(spec).error();
  }
  if (!spec->is_object() || !(spec->contains("argv") || spec->contains("shell"))) {
    return coded_error(OFFLOAD_EFAULT, call, " of framework '", m_factory.name(), "' returned no \"argv\" or \"shell\"");
  }
  BatchCommand cmd;
  if (auto rf = spec->find("result_file"); rf != spec->end() && rf->is_string()) {
    cmd.result_file = rf->get<std::string>();
  }
  spec->erase("result_file");
  cmd.spec = std::move(*spec);
  return cmd;
}

Result<std::string> Framework::to_junit(std::string data) const {
  if (table().convert_report == nullptr) {
    return data;
  }
  std::vector<std::string> written;
  FunctionSink sink(collect_into(written));
  offload_error err;
  const int32_t rc = table().convert_report(m_self, data.data(), data.size(), sink.get(), &err);
  if (rc != OFFLOAD_OK) {
    return call_error(m_factory, err, rc, "converting the result file");
  }
  if (written.size() != 1) {
    return coded_error(OFFLOAD_EFAULT, "convert_report of framework '", m_factory.name(), "' wrote ",
                      std::to_string(written.size()), " documents, expected 1");
  }
  return std::move(written.front());
}

Result<std::vector<std::optional<std::string>>> Framework::map_results(
    const std::vector<std::string>& tests, const std::vector<CaseName>& cases) const {
  nlohmann::json jcases = nlohmann::json::array();
  for (const auto& c : cases) {
    jcases.push_back({{"name", c.name}, {"classname", c.classname}});
  }
  const std::string request = json_text({{"tests", tests}, {"cases", std::move(jcases)}});
  std::vector<std::string> written;
  FunctionSink sink(collect_into(written));
  offload_error err;
  const int32_t rc = table().map_results(m_self, request.data(), request.size(), sink.get(), &err);
  if (rc != OFFLOAD_OK) {
    return call_error(m_factory, err, rc, "matching results to test IDs");
  }
  auto ids = single_json(written, "map_results");
  if (!ids) {
    return std::move(ids).error();
  }
  if (!ids->is_array() || ids->size() != cases.size()) {
    return coded_error(OFFLOAD_EFAULT, "map_results of framework '", m_factory.name(), "' must return an array of ",
                      std::to_string(cases.size()), " entries");
  }
  std::vector<std::optional<std::string>> out;
  out.reserve(cases.size());
  for (const auto& id : *ids) {
    out.push_back(id.is_string() ? std::optional<std::string>(id.get<std::string>()) : std::nullopt);
  }
  return out;
}

} // namespace offload::plugin
