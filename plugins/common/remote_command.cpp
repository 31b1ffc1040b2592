// SPDX-License-Identifier: MIT
#include "remote_command.hpp"

#include "shell.hpp"

#include <offload/plugin.hpp>

namespace offload::plugins {
namespace {

using plugin_support::shell_quote;

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_script_name(std::string_view name) {
  const std::size_t dot = name.find('.');
  return !name.empty() && name.front() != '.' && name.back() != '.' && dot != std::string_view::npos;
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view space = " \t\r\n\f\v";
  const std::size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) {
    return {};
  }
  return text.substr(begin, text.find_last_not_of(space) - begin + 1);
}

} // namespace

std::string expand_script_tokens(std::string_view tmpl,
                                 const std::function<std::string(const std::string&)>& resolve) {
  std::string out;
  out.reserve(tmpl.size());
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    const bool starts_token = tmpl[pos] == '@' && (pos == 0 || is_space(tmpl[pos - 1]));
    if (!starts_token) {
      out += tmpl[pos++];
      continue;
    }
    std::size_t end = pos + 1;
    while (end < tmpl.size() && is_name_char(tmpl[end])) {
      ++end;
    }
    const std::string_view name = tmpl.substr(pos + 1, end - pos - 1);
    if (!is_script_name(name)) {
      out += tmpl[pos++];
      continue;
    }
    out += resolve(std::string(name));
    pos = end;
  }
  return out;
}

bool is_env_name(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) {
    return false;
  }
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

void check_copy_dirs(const std::vector<std::string>& specs, const std::string& key) {
  for (const std::string& spec : specs) {
    const std::size_t colon = spec.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
      throw sdk::Failure(OFFLOAD_EINVAL, key + " entry '" + spec + "' is not LOCAL:REMOTE", key);
    }
  }
}

void check_env_names(const std::map<std::string, std::string>& env, const std::string& key) {
  for (const auto& [name, value] : env) {
    if (!is_env_name(name)) {
      throw sdk::Failure(OFFLOAD_EINVAL,
                         key + " name '" + name + "' cannot be exported; expected letters, digits and _", key);
    }
  }
}

std::string remote_script(const std::optional<std::string>& project_root,
                          const std::map<std::string, std::string>& env, const std::string& script) {
  std::string text;
  if (project_root) {
    text += "cd " + shell_quote(*project_root) + " || exit\n";
  }
  if (!env.empty()) {
    text += "export";
    for (const auto& [name, value] : env) {
      if (!is_env_name(name)) {
        throw sdk::Failure(OFFLOAD_EINVAL, "environment variable name '" + name +
                                               "' cannot be exported; expected letters, digits and _");
      }
      text += " " + name + "=" + shell_quote(value);
    }
    text += "\n";
  }
  text += script;
  return text;
}

std::string paths_argument(const std::vector<FileCopy>& files) {
  std::string text;
  for (const FileCopy& file : files) {
    if (!text.empty()) {
      text += ' ';
    }
    text += shell_quote(file.remote) + ":" + shell_quote(file.local);
  }
  return text;
}

std::string last_line(const std::vector<std::string>& lines) {
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (const std::string_view line = trim(*it); !line.empty()) {
      return std::string(line);
    }
  }
  return {};
}

} // namespace offload::plugins
