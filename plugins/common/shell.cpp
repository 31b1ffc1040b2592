// SPDX-License-Identifier: MIT
#include "shell.hpp"

#include <offload/plugin.hpp>

namespace offload::plugin_support {
namespace {

bool is_plain(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("_./:=@%+,-").find(c) != std::string_view::npos;
}

} // namespace

std::string shell_quote(std::string_view word) {
  bool plain = !word.empty();
  for (const char c : word) {
    plain = plain && is_plain(c);
  }
  if (plain) {
    return std::string(word);
  }
  std::string quoted;
  quoted.reserve(word.size() + 2);
  quoted += '\'';
  for (const char c : word) {
    if (c == '\'') {
      // Close the quote, add an escaped quote, reopen: nothing is special inside '...'.
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += '\'';
  return quoted;
}

std::string shell_join(const std::vector<std::string>& words) {
  std::string line;
  for (const auto& word : words) {
    if (!line.empty()) {
      line += ' ';
    }
    line += shell_quote(word);
  }
  return line;
}

std::string command_to_shell(const nlohmann::json& command) {
  if (!command.is_object()) {
    throw sdk::Failure(OFFLOAD_EINVAL, "command must be a JSON object with \"argv\" or \"shell\", got " +
                                           std::string(command.type_name()));
  }
  if (const auto argv = command.find("argv"); argv != command.end()) {
    if (!argv->is_array() || argv->empty()) {
      throw sdk::Failure(OFFLOAD_EINVAL, "command \"argv\" must be a non-empty array of strings");
    }
    std::vector<std::string> words;
    for (const auto& word : *argv) {
      if (!word.is_string()) {
        throw sdk::Failure(OFFLOAD_EINVAL, "command \"argv\" must hold only strings, found " +
                                               std::string(word.type_name()));
      }
      words.push_back(word.get<std::string>());
    }
    return shell_join(words);
  }
  if (const auto shell = command.find("shell"); shell != command.end()) {
    if (!shell->is_string()) {
      throw sdk::Failure(OFFLOAD_EINVAL, "command \"shell\" must be a string, got " +
                                             std::string(shell->type_name()));
    }
    return shell->get<std::string>();
  }
  throw sdk::Failure(OFFLOAD_EINVAL, "command has neither \"argv\" nor \"shell\"; expected one of them");
}

} // namespace offload::plugin_support
