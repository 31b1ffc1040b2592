// SPDX-License-Identifier: MIT
#include "map_results.hpp"

#include "json_config.hpp"

#include <offload/plugin.hpp>

#include <set>

namespace offload::plugin_support {

MapResultsRequest read_map_results_request(std::string_view request) {
  constexpr std::string_view what = "map_results request";
  const nlohmann::json req = parse_object(request, what);
  MapResultsRequest out;
  out.tests = read_request(what, [&] { return string_list(req, "tests"); });
  const auto cases = req.find("cases");
  if (cases == req.end() || !cases->is_array()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "malformed map_results request: \"cases\" must be an array");
  }
  out.cases.reserve(cases->size());
  for (const auto& test_case : *cases) {
    out.cases.push_back(read_request(what, [&] {
      return ResultCase{string_or(test_case, "name", ""), string_or(test_case, "classname", "")};
    }));
  }
  return out;
}

std::string map_joined_names(std::string_view request, std::string_view separator) {
  const MapResultsRequest req = read_map_results_request(request);
  const std::set<std::string, std::less<>> batch(req.tests.begin(), req.tests.end());
  std::vector<std::optional<std::string>> ids;
  ids.reserve(req.cases.size());
  for (const auto& c : req.cases) {
    std::string id = c.classname + std::string(separator) + c.name;
    ids.push_back(batch.count(id) != 0 ? std::optional<std::string>(std::move(id)) : std::nullopt);
  }
  return map_results_answer(ids);
}

std::string map_results_answer(const std::vector<std::optional<std::string>>& ids) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& id : ids) {
    out.push_back(id ? nlohmann::json(*id) : nlohmann::json(nullptr));
  }
  return json_text(out);
}

} // namespace offload::plugin_support
