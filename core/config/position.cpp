// SPDX-License-Identifier: MIT
#include "config/config.hpp"

namespace offload::config {

std::string to_string(const Position& pos) {
  if (pos.line <= 0) {
    return pos.file;
  }
  return pos.file + ":" + std::to_string(pos.line);
}

Position PluginSection::where(const std::string& key) const {
  auto it = keys.find(key);
  return it == keys.end() ? header : it->second;
}

} // namespace offload::config
