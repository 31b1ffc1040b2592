// SPDX-License-Identifier: MIT
#include "config/reader.hpp"
#include "process/max_timeout.hpp"
#include "util/utf8.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace offload::config {
namespace {

using detail::describe;
using detail::error_at;
using detail::in_file_order;
using detail::position_of;
using detail::TableReader;

const std::vector<std::string> top_level_tables = {"offload", "provider", "framework", "groups",
                                                   "report"};

Status check_top_level(const toml::value& root, const std::string& file) {
  for (const auto& [key, value] : in_file_order(root.as_table())) {
    if (std::find(top_level_tables.begin(), top_level_tables.end(), key) != top_level_tables.end()) {
      if (!value.is_table()) {
        return error_at(position_of(value, file),
                        "'" + key + "' must be a table" +
                            (key == "groups" ? " of groups, e.g. [groups.all]" : " [" + key + "]") +
                            ", got " + describe(value));
      }
      continue;
    }
    const Position pos = position_of(value, file);
    if (!value.is_table()) {
      return error_at(pos, "unknown top-level key '" + key + "'; keys belong in one of the tables [" +
                               detail::join(top_level_tables) + "]");
    }
    const std::string suggestion = closest_match(key, top_level_tables);
    if (!suggestion.empty()) {
      return error_at(pos, "unknown table [" + key + "]; did you mean [" + suggestion + "]?");
    }
    return error_at(pos, "unknown table [" + key + "]; expected one of: " +
                             detail::join(top_level_tables));
  }
  for (const char* required : {"offload", "provider", "framework"}) {
    if (!root.contains(required)) {
      return error_at(Position{file, 0}, std::string("missing required table [") + required + "]");
    }
  }
  if (!root.contains("groups")) {
    return error_at(Position{file, 0},
                    "missing required table [groups]; add at least one group, e.g. [groups.all]");
  }
  return {};
}

Status read_offload(const toml::value& table, const std::string& file, OffloadSettings& out) {
  TableReader reader(table, "offload", file);
  if (auto s = reader.check_keys({"max_parallel", "test_timeout_secs", "working_dir",
                                  "sandbox_project_root", "impatiently_requeue_batches",
                                  "max_parallel_collection", "start_before_discovery",
                                  "per_test_timeout_secs", "persistent_workers", "discovery_timeout_secs"});
      !s) {
    return s;
  }
  for (auto status : {reader.integer("max_parallel", 1, out.max_parallel),
                      reader.integer("test_timeout_secs", 1, process::k_max_timeout.count(), out.test_timeout_secs),
                      reader.integer("per_test_timeout_secs", 1, process::k_max_timeout.count(), out.per_test_timeout_secs),
                      reader.boolean("persistent_workers", out.persistent_workers),
                      reader.optional_string("working_dir", out.working_dir),
                      reader.optional_string("sandbox_project_root", out.sandbox_project_root),
                      reader.boolean("impatiently_requeue_batches", out.impatiently_requeue_batches),
                      reader.boolean("start_before_discovery", out.start_before_discovery),
                      reader.integer("max_parallel_collection", 0, out.max_parallel_collection),
                      reader.integer("discovery_timeout_secs", 1, process::k_max_timeout.count(), out.discovery_timeout_secs)}) {
    if (!status) {
      return status;
    }
  }
  return {};
}

bool valid_group_name(const std::string& name) {
  return !name.empty() && name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                 "abcdefghijklmnopqrstuvwxyz"
                                                 "0123456789_.-") == std::string::npos;
}

Result<Group> read_group(const std::string& name, const toml::value& table, const std::string& file) {
  const std::string path = "groups." + name;
  Group group;
  group.name = name;
  group.position = position_of(table, file);
  if (!valid_group_name(name)) {
    return error_at(group.position, "invalid group name " + detail::quoted(name) +
                                        "; expected letters, digits, '_', '.' or '-'");
  }
  if (!table.is_table()) {
    return error_at(group.position,
                    "'" + path + "' must be a table [" + path + "], got " + describe(table));
  }
  TableReader reader(table, path, file);
  if (auto s = reader.check_keys({"retry_count", "filters", "schedule_individual", "hedge"}); !s) {
    return std::move(s).error();
  }
  for (auto status : {reader.integer("retry_count", 0, group.retry_count),
                      reader.string("filters", group.filters),
                      reader.boolean("schedule_individual", group.schedule_individual),
                      reader.boolean("hedge", group.hedge)}) {
    if (!status) {
      return std::move(status).error();
    }
  }
  return group;
}

Result<std::vector<Group>> read_groups(const toml::value& table, const std::string& file) {
  std::vector<Group> groups;
  for (const auto& [name, value] : in_file_order(table.as_table())) {
    auto group = read_group(name, value, file);
    if (!group) {
      return std::move(group).error();
    }
    groups.push_back(std::move(group).value());
  }
  if (groups.empty()) {
    return error_at(position_of(table, file),
                    "[groups] defines no group; add at least one, e.g. [groups.all]");
  }
  return groups;
}

Status read_report(const toml::value& table, const std::string& file, ReportSettings& out) {
  TableReader reader(table, "report", file);
  if (auto s = reader.check_keys({"output_dir", "junit", "junit_file"}); !s) {
    return s;
  }
  for (auto status : {reader.string("output_dir", out.output_dir), reader.boolean("junit", out.junit),
                      reader.string("junit_file", out.junit_file)}) {
    if (!status) {
      return status;
    }
  }
  if (out.output_dir.empty()) {
    return error_at(reader.position("output_dir"),
                    "'report.output_dir' is empty; expected a directory path");
  }
  const std::string& name = out.junit_file;
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    return error_at(reader.position("junit_file"),
                    "'report.junit_file' must be a plain file name (it is written inside "
                    "report.output_dir), got " +
                        detail::quoted(name));
  }
  return {};
}

Result<Config> parse_config(std::string_view text, const std::string& name) {
  auto root = detail::parse_toml(text, name);
  if (!root) {
    return std::move(root).error();
  }
  const toml::value& doc = *root;
  if (auto s = check_top_level(doc, name); !s) {
    return s.error();
  }

  Config config;
  config.path = name;
  if (auto s = read_offload(doc.at("offload"), name, config.offload); !s) {
    return s.error();
  }
  auto provider = detail::read_plugin_section(doc.at("provider"), "provider", name);
  if (!provider) {
    return std::move(provider).error();
  }
  config.provider = std::move(provider).value();
  auto framework = detail::read_plugin_section(doc.at("framework"), "framework", name);
  if (!framework) {
    return std::move(framework).error();
  }
  config.framework = std::move(framework).value();
  auto groups = read_groups(doc.at("groups"), name);
  if (!groups) {
    return std::move(groups).error();
  }
  config.groups = std::move(groups).value();
  if (doc.contains("report")) {
    if (auto s = read_report(doc.at("report"), name, config.report); !s) {
      return s.error();
    }
  }
  return config;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

} // namespace

Result<Config> parse(std::string_view text, const std::string& name) {
  // TOML is UTF-8, and toml11 (3.7) reads past the end of its buffer on
  // some invalid bytes inside a string, so they never reach it.
  if (const auto bad = util::first_invalid_utf8(text)) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n');
    return make_error(name, ":", std::to_string(line), ": not UTF-8 text (byte ", std::to_string(*bad),
                      "); a TOML file must be UTF-8");
  }
  try {
    return parse_config(text, name);
  } catch (const std::exception& e) {
    return make_error(name, ": cannot load config: ", e.what());
  }
}

Result<Config> load(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    return make_error("cannot read config '", path, "': ", std::strerror(errno));
  }
  std::string text;
  char buffer[8192];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    text.append(buffer, n);
    if (text.size() > k_max_config_bytes) {
      return make_error("config '", path, "' is larger than ", std::to_string(k_max_config_bytes >> 20),
                        " MiB; expected a TOML file (is it the right path?)");
    }
  }
  if (std::ferror(file.get())) {
    return make_error("cannot read config '", path, "': ", std::strerror(errno));
  }
  return parse(text, path);
}

} // namespace offload::config
