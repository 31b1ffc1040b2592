// SPDX-License-Identifier: MIT
#include "node_id_matcher.hpp"

namespace offload::plugins {
namespace {

/// `classname` is `expected`, or ends with "." + `expected` (a junit_prefix).
bool same_class(const std::string& classname, const std::string& expected) {
  if (classname == expected) {
    return true;
  }
  return classname.size() > expected.size() && classname.ends_with(expected) &&
         classname[classname.size() - expected.size() - 1] == '.';
}

} // namespace

JunitName junit_name_of(const std::string& node_id) {
  const std::size_t bracket = node_id.find('[');
  const std::string path = node_id.substr(0, bracket);
  const std::string params = bracket == std::string::npos ? std::string() : node_id.substr(bracket);

  std::vector<std::string> parts;
  for (std::size_t begin = 0;;) {
    const std::size_t sep = path.find("::", begin);
    parts.push_back(path.substr(begin, sep == std::string::npos ? std::string::npos : sep - begin));
    if (sep == std::string::npos) {
      break;
    }
    begin = sep + 2;
  }
  std::string& file = parts.front();
  for (char& c : file) {
    if (c == '/') {
      c = '.';
    }
  }
  if (file.ends_with(".py")) {
    file.resize(file.size() - 3);
  }
  parts.back() += params;

  JunitName junit;
  junit.name = parts.back();
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    junit.classname += (i == 0 ? "" : ".") + parts[i];
  }
  return junit;
}

NodeIdMatcher::NodeIdMatcher(const std::vector<std::string>& batch) : m_ids(batch.begin(), batch.end()) {
  for (const std::string& id : m_ids) {
    JunitName junit = junit_name_of(id);
    m_by_name.emplace(std::move(junit.name), std::pair(std::move(junit.classname), id));
  }
}

std::optional<std::string> NodeIdMatcher::match(const std::string& name, const std::string& classname) const {
  if (m_ids.contains(name)) {
    return name;
  }
  std::optional<std::string> found;
  const auto [begin, end] = m_by_name.equal_range(name);
  for (auto it = begin; it != end; ++it) {
    const auto& [expected_class, id] = it->second;
    if (!same_class(classname, expected_class)) {
      continue;
    }
    if (found) {
      return std::nullopt;
    }
    found = id;
  }
  return found;
}

} // namespace offload::plugins
