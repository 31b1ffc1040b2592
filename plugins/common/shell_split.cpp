// SPDX-License-Identifier: MIT
#include "shell_split.hpp"

#include <offload/plugin.hpp>

namespace offload::plugin_support {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// Inside double quotes a backslash is only special before these.
bool escapable_in_double_quotes(char c) {
  return c == '$' || c == '`' || c == '"' || c == '\\' || c == '\n';
}

[[noreturn]] void unterminated(std::string_view what, std::string_view text) {
  throw sdk::Failure(OFFLOAD_EINVAL, std::string(what) + " in '" + std::string(text) +
                                         "'; expected shell words such as -m 'not slow'");
}

} // namespace

std::vector<std::string> shell_split(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  // A word exists once any part of it was seen, so '' yields an empty word.
  bool in_word = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (is_blank(c)) {
      if (in_word) {
        words.push_back(std::move(word));
        word.clear();
        in_word = false;
      }
      ++i;
    } else if (c == '\'') {
      const std::size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos) {
        unterminated("unterminated single quote", text);
      }
      word.append(text.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
    } else if (c == '"') {
      in_word = true;
      ++i;
      while (true) {
        if (i >= text.size()) {
          unterminated("unterminated double quote", text);
        }
        const char d = text[i];
        if (d == '"') {
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < text.size() && escapable_in_double_quotes(text[i + 1])) {
          if (text[i + 1] != '\n') {
            word += text[i + 1];
          }
          i += 2;
          continue;
        }
        word += d;
        ++i;
      }
    } else if (c == '\\') {
      if (i + 1 >= text.size()) {
        unterminated("trailing backslash", text);
      }
      if (text[i + 1] != '\n') {
        word += text[i + 1];
        in_word = true;
      }
      i += 2;
    } else {
      word += c;
      in_word = true;
      ++i;
    }
  }
  if (in_word) {
    words.push_back(std::move(word));
  }
  return words;
}

} // namespace offload::plugin_support
