// SPDX-License-Identifier: MIT
#include "plugin/instance.hpp"
#include "plugin/sink.hpp"

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
    return make_error(what, " wrote ", std::to_string(written.size()), " documents, expected 1");
  }
  auto j = nlohmann::json::parse(written.front(), nullptr, false);
  if (j.is_discarded()) {
    return make_error(what, " wrote invalid JSON: ", written.front().substr(0, 200));
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
  if (table().describe(m_self, sink.get()) == OFFLOAD_OK && written.size() == 1) {
    auto j = nlohmann::json::parse(written.front(), nullptr, false);
    if (j.is_object() && j.value("results", "junit") == "exit_code") {
      m_result_files = false;
    }
    if (j.is_object() && j.contains("fixed_result_file") && j["fixed_result_file"].is_string()) {
      m_fixed_result_file = j["fixed_result_file"].get<std::string>();
    }
  }
}

Framework::~Framework() {
  table().destroy(m_self);
}

const offload_framework_v1& Framework::table() const {
  return *static_cast<const offload_framework_v1*>(m_factory.raw->iface);
}

Result<std::vector<DiscoveredTest>> Framework::discover(const std::string& group, const std::string& filters,
                                                        const process::CancelToken& cancel) const {
  const std::string request = nlohmann::json{{"group", group}, {"filters", filters}}.dump();
  std::vector<DiscoveredTest> tests;
  std::string bad_record;
  FunctionSink sink([&](uint32_t channel, std::string_view bytes) -> int32_t {
    if (channel != OFFLOAD_CHANNEL_DATA) {
      return OFFLOAD_OK;
    }
    auto j = nlohmann::json::parse(bytes, nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>().empty()) {
      bad_record = std::string(bytes.substr(0, 200));
      return OFFLOAD_EINVAL;
    }
    DiscoveredTest t{j["id"].get<std::string>(), std::nullopt};
    if (auto f = j.find("file"); f != j.end() && f->is_string()) {
      t.file = f->get<std::string>();
    }
    tests.push_back(std::move(t));
    return OFFLOAD_OK;
  });
  offload_cancel token{cancel};
  offload_error err;
  const int32_t rc = table().discover(m_self, request.data(), request.size(), sink.get(), &token, &err);
  if (!bad_record.empty()) {
    return make_error("discovery for group '", group, "' (framework '", m_factory.name(),
                      "') produced a record without a string \"id\": ", bad_record);
  }
  if (rc != OFFLOAD_OK) {
    return call_error(m_factory, err, rc, "discovery for group '" + group + "'");
  }
  return tests;
}

Result<BatchCommand> Framework::build_command(const std::vector<std::string>& tests,
                                              const std::string& result_file, bool fail_fast) const {
  const std::string request =
      nlohmann::json{{"tests", tests}, {"result_file", result_file}, {"fail_fast", fail_fast}}.dump();
  std::vector<std::string> written;
  FunctionSink sink(collect_into(written));
  offload_error err;
  const int32_t rc = table().build_command(m_self, request.data(), request.size(), sink.get(), &err);
  if (rc != OFFLOAD_OK) {
    return call_error(m_factory, err, rc, "building the batch command");
  }
  auto spec = single_json(written, "build_command");
  if (!spec) {
    return std::move(spec).error();
  }
  if (!spec->is_object() || !(spec->contains("argv") || spec->contains("shell"))) {
    return make_error("build_command of framework '", m_factory.name(), "' returned no \"argv\" or \"shell\"");
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
    return make_error("convert_report of framework '", m_factory.name(), "' wrote ",
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
  const std::string request = nlohmann::json{{"tests", tests}, {"cases", std::move(jcases)}}.dump();
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
    return make_error("map_results of framework '", m_factory.name(), "' must return an array of ",
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
