// SPDX-License-Identifier: MIT
#include "template.hpp"

namespace offload::plugin_support {

std::string substitute(std::string_view tmpl, const std::map<std::string, std::string>& values) {
  std::string result;
  result.reserve(tmpl.size());
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    const std::size_t open = tmpl.find('{', pos);
    if (open == std::string_view::npos) {
      break;
    }
    result.append(tmpl, pos, open - pos);
    const std::size_t close = tmpl.find('}', open + 1);
    if (close != std::string_view::npos) {
      const auto value = values.find(std::string(tmpl.substr(open + 1, close - open - 1)));
      if (value != values.end()) {
        result += value->second;
        pos = close + 1;
        continue;
      }
    }
    // Not one of ours: keep the brace and look for a placeholder right after it.
    result += '{';
    pos = open + 1;
  }
  if (pos < tmpl.size()) {
    result.append(tmpl, pos);
  }
  return result;
}

bool has_placeholder(std::string_view tmpl, std::string_view name) {
  std::string placeholder;
  placeholder.reserve(name.size() + 2);
  placeholder += '{';
  placeholder += name;
  placeholder += '}';
  return tmpl.find(placeholder) != std::string_view::npos;
}

bool placeholder_in_quotes(std::string_view tmpl, std::string_view name) {
  const std::string placeholder = "{" + std::string(name) + "}";
  char quote = 0; // the quote character we are inside, if any
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    const char c = tmpl[i];
    if (quote != 0 && tmpl.compare(i, placeholder.size(), placeholder) == 0) {
      return true;
    }
    if (c == '\\' && quote != '\'') {
      ++i; // the next character is literal
    } else if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
    } else if (c == quote) {
      quote = 0;
    }
  }
  return false;
}

} // namespace offload::plugin_support
