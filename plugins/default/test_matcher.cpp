// SPDX-License-Identifier: MIT
#include "test_matcher.hpp"

namespace offload::plugins {
namespace {

bool starts_with_at(std::string_view text, std::size_t pos, std::string_view prefix) {
  return text.substr(pos, prefix.size()) == prefix;
}

/// True when `text` is `tail`, or ends with "." followed by `tail`.
bool ends_with_component(std::string_view text, std::string_view tail) {
  if (tail.empty() || !text.ends_with(tail)) {
    return false;
  }
  return text.size() == tail.size() || text[text.size() - tail.size() - 1] == '.';
}

} // namespace

std::string normalise_test_name(std::string_view name) {
  std::string dotted;
  dotted.reserve(name.size());
  std::size_t pos = 0;
  while (pos < name.size()) {
    if (starts_with_at(name, pos, ".py")) {
      const std::size_t after = pos + 3;
      if (after == name.size() || starts_with_at(name, after, "/") || starts_with_at(name, after, "::")) {
        pos = after;
        continue;
      }
    }
    if (starts_with_at(name, pos, "::")) {
      dotted += '.';
      pos += 2;
    } else {
      dotted += name[pos] == '/' ? '.' : name[pos];
      ++pos;
    }
  }
  std::string normal;
  normal.reserve(dotted.size());
  for (std::size_t begin = 0; begin <= dotted.size();) {
    std::size_t end = dotted.find('.', begin);
    if (end == std::string::npos) {
      end = dotted.size();
    }
    if (end > begin) {
      if (!normal.empty()) {
        normal += '.';
      }
      normal.append(dotted, begin, end - begin);
    }
    begin = end + 1;
  }
  return normal;
}

TestMatcher::TestMatcher(const std::vector<std::string>& batch) : m_ids(batch.begin(), batch.end()) {
  for (const auto& id : m_ids) {
    m_normalised.emplace_back(normalise_test_name(id), id);
  }
}

std::optional<std::string> TestMatcher::match(const std::string& formatted, const std::string& name) const {
  if (m_ids.count(formatted) != 0) {
    return formatted;
  }
  if (m_ids.count(name) != 0) {
    return name;
  }
  const std::string wanted = normalise_test_name(formatted);
  std::optional<std::string> found;
  for (const auto& [normal, id] : m_normalised) {
    if (ends_with_component(normal, wanted) || ends_with_component(wanted, normal)) {
      if (found) {
        return std::nullopt;
      }
      found = id;
    }
  }
  return found;
}

} // namespace offload::plugins
