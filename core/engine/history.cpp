// SPDX-License-Identifier: MIT
#include "engine/history.hpp"

#include "report/junit.hpp"
#include "util/atomic_file.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ios>
#include <system_error>

namespace offload::engine {

namespace {

/// The history file's JSON; discarded when it is absent or unreadable (a
/// directory, say), after a warning naming it for anything but absence.
nlohmann::json read_history_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  if (status.type() != std::filesystem::file_type::regular) {
    spdlog::warn("ignoring {}: not a regular file{}", path.string(), ec ? " (" + ec.message() + ")" : "");
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  std::ifstream in(path);
  try {
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) {
      spdlog::warn("ignoring damaged {}: not the JSON offload writes", path.string());
    }
    return j;
  } catch (const std::ios_base::failure& e) { // libstdc++ throws on a read error
    spdlog::warn("ignoring {}: cannot read it ({})", path.string(), e.what());
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
}

} // namespace

History History::load(const std::filesystem::path& dir, const std::filesystem::path& fallback_junit) {
  History h;
  if (auto j = read_history_file(dir / k_file_name); !j.is_discarded()) {
    const auto durations = j.is_object() ? j.find("durations") : j.end();
    if (j.is_object() && durations != j.end() && durations->is_object()) {
      for (const auto& [id, list] : durations->items()) {
        if (!list.is_array()) {
          continue;
        }
        auto& samples = h.m_samples[id];
        for (const auto& d : list) {
          if (d.is_number() && d.get<double>() >= 0.0) {
            samples.push_back(d.get<double>());
          }
        }
      }
      if (auto o = j.find("batch_overhead_secs"); o != j.end() && o->is_number() && o->get<double>() >= 0.0) {
        h.m_overhead = o->get<double>();
      }
      h.read_listing(j);
      h.m_source = "history";
      return h;
    }
    spdlog::warn("ignoring damaged {}: not the JSON offload writes", (dir / k_file_name).string());
  }
  for (const auto& [id, secs] : report::read_durations(fallback_junit)) {
    h.m_samples[id].push_back(secs);
  }
  if (!h.m_samples.empty()) {
    h.m_source = "junit.xml";
  }
  return h;
}

std::optional<std::string> History::id_of(std::string_view group, std::string_view classname,
                                          std::string_view name) const {
  for (const Listed& t : m_listing) {
    if (t.group == group && t.classname == classname && t.name == name) {
      return t.id;
    }
  }
  return std::nullopt;
}

void History::read_listing(const nlohmann::json& doc) {
  const auto listing = doc.find("listing");
  if (listing == doc.end() || !listing->is_object()) {
    return;
  }
  const auto fingerprint = listing->find("fingerprint");
  const auto tests = listing->find("tests");
  if (fingerprint == listing->end() || !fingerprint->is_string() || tests == listing->end() || !tests->is_array()) {
    return;
  }
  std::vector<Listed> out;
  for (const auto& t : *tests) {
    // [id, group, file] or, with the framework's JUnit names, [id, group, file, classname, name].
    const bool well_formed = t.is_array() && (t.size() == 3 || t.size() == 5) && t[0].is_string() &&
                             t[1].is_string() && (t[2].is_string() || t[2].is_null()) &&
                             (t.size() == 3 || (t[3].is_string() && t[4].is_string()));
    if (!well_formed) {
      return; // half a list would start the wrong tests; none is safe
    }
    out.push_back({t[0].get<std::string>(), t[1].get<std::string>(),
                   t[2].is_null() ? std::nullopt : std::optional<std::string>(t[2].get<std::string>()),
                   t.size() == 5 ? t[3].get<std::string>() : std::string(),
                   t.size() == 5 ? t[4].get<std::string>() : std::string()});
  }
  m_listing_fingerprint = fingerprint->get<std::string>();
  m_listing = std::move(out);
}

void History::set_listing(std::string fingerprint, const std::vector<TestRecord>& tests,
                          const std::vector<config::Group>& groups) {
  m_listing_fingerprint = std::move(fingerprint);
  m_listing.clear();
  m_listing.reserve(tests.size());
  for (const auto& r : tests) {
    m_listing.push_back({r.test.id, groups[r.test.group].name, r.test.file, r.test.classname, r.test.name});
  }
}

std::vector<TestCase> History::listing(const std::string& fingerprint,
                                       const std::vector<config::Group>& groups) const {
  if (fingerprint != m_listing_fingerprint) {
    return {};
  }
  std::map<std::string, std::size_t> group_index;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    group_index.emplace(groups[g].name, g);
  }
  std::vector<TestCase> out;
  out.reserve(m_listing.size());
  for (const auto& t : m_listing) {
    const auto g = group_index.find(t.group);
    if (g == group_index.end()) {
      return {};
    }
    out.push_back(TestCase{t.id, g->second, t.file, t.classname, t.name});
  }
  return out;
}

std::optional<double> History::estimate(const std::string& id) const {
  const auto it = m_samples.find(id);
  if (it == m_samples.end() || it->second.empty()) {
    return std::nullopt;
  }
  std::vector<double> sorted = it->second;
  std::sort(sorted.begin(), sorted.end());
  return sorted[sorted.size() / 2];
}

void History::add(const std::string& id, double secs) {
  auto& samples = m_samples[id];
  samples.push_back(secs);
  if (samples.size() > k_samples) {
    samples.erase(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(samples.size() - k_samples));
  }
}

Status History::save(const std::filesystem::path& dir) const {
  nlohmann::json durations = nlohmann::json::object();
  for (const auto& [id, samples] : m_samples) {
    durations[id] = samples;
  }
  nlohmann::json doc{{"version", 1}, {"durations", std::move(durations)}};
  if (m_overhead) {
    doc["batch_overhead_secs"] = *m_overhead;
  }
  if (!m_listing_fingerprint.empty()) {
    nlohmann::json tests = nlohmann::json::array();
    for (const auto& t : m_listing) {
      nlohmann::json entry = {t.id, t.group, t.file ? nlohmann::json(*t.file) : nlohmann::json(nullptr)};
      if (!t.name.empty()) {
        entry.push_back(t.classname);
        entry.push_back(t.name);
      }
      tests.push_back(std::move(entry));
    }
    doc["listing"] = {{"fingerprint", m_listing_fingerprint}, {"tests", std::move(tests)}};
  }
  // IDs come from runners and may hold bytes that are not UTF-8; replaced
  // rather than thrown on, so history can never end a run.
  return util::write_file_atomically(dir / k_file_name,
                                     doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace offload::engine
