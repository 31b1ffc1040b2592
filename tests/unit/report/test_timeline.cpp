// SPDX-License-Identifier: MIT
#include "report/timeline.hpp"
#include "report_test_util.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <tinyxml2.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

using namespace offload;
using namespace offload::report;
using offload::report::test::TempDir;

namespace {

BatchSpan span(std::size_t batch, std::size_t sandbox, double start, double end,
               BatchOutcome outcome, std::size_t tests) {
  BatchSpan s;
  s.batch = batch;
  s.sandbox = sandbox;
  s.start_secs = start;
  s.end_secs = end;
  s.outcome = outcome;
  s.tests = tests;
  return s;
}

const std::vector<BatchSpan> sample_batches{
    span(0, 0, 0.0, 1.5, BatchOutcome::Success, 3),
    span(1, 1, 0.2, 4.0, BatchOutcome::Failure, 1),
    span(2, 2, 0.5, 2.0, BatchOutcome::Error, 5),
    span(3, 0, 1.6, 6.0, BatchOutcome::Cancelled, 2),
    span(4, 1, 4.1, 9.0, BatchOutcome::Success, 4),
};

struct Bar {
  double x = 0;
  double y = 0;
  double width = 0;
  std::string fill;
  std::string title;
};

struct Svg {
  std::vector<Bar> bars;
  std::vector<std::string> texts;
  double height = 0;
};

void walk(const tinyxml2::XMLElement* element, Svg& svg) {
  for (auto* child = element->FirstChildElement(); child != nullptr;
       child = child->NextSiblingElement()) {
    const std::string name = child->Name();
    if (name == "rect" && child->FirstChildElement("title") != nullptr) {
      svg.bars.push_back({child->DoubleAttribute("x"), child->DoubleAttribute("y"),
                          child->DoubleAttribute("width"), child->Attribute("fill"),
                          child->FirstChildElement("title")->GetText()});
    } else if (name == "text") {
      svg.texts.emplace_back(child->GetText());
    }
    walk(child, svg);
  }
}

Svg load_svg(const std::filesystem::path& path) {
  tinyxml2::XMLDocument doc;
  REQUIRE(doc.LoadFile(path.c_str()) == tinyxml2::XML_SUCCESS);
  const auto* root = doc.RootElement();
  REQUIRE(std::string(root->Name()) == "svg");
  CHECK(std::string(root->Attribute("xmlns")) == "http://www.w3.org/2000/svg");
  Svg svg;
  svg.height = root->DoubleAttribute("height");
  walk(root, svg);
  return svg;
}

std::size_t count_prefixed(const std::vector<std::string>& texts, const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& t : texts) {
    n += t.rfind(prefix, 0) == 0 ? 1 : 0;
  }
  return n;
}

std::size_t count_tick_labels(const std::vector<std::string>& texts) {
  std::size_t n = 0;
  for (const auto& t : texts) {
    n += t.size() > 2 && t.compare(t.size() - 2, 2, " s") == 0 ? 1 : 0;
  }
  return n;
}

} // namespace

TEST_SUITE_BEGIN("report");

TEST_CASE("report::write_timeline_svg draws a bar per batch and a row per sandbox") {
  TempDir dir;
  const auto path = dir / "timeline.svg";
  const auto status = write_timeline_svg(path, 3, sample_batches, 9.0);
  REQUIRE_MESSAGE(status.ok(), status.error().message);
  CHECK(offload::report::test::entry_count(dir.path()) == 1);

  const std::string text = offload::report::test::read_text(path);
  CHECK(text.find("<script") == std::string::npos);
  CHECK(text.find("href") == std::string::npos);
  CHECK(text.find("nan") == std::string::npos);

  const Svg svg = load_svg(path);
  REQUIRE(svg.bars.size() == 5);
  CHECK(svg.bars[0].title == "batch 0: 3 tests, 1.50 s, success");
  CHECK(svg.bars[1].title == "batch 1: 1 test, 3.80 s, failure");
  CHECK(svg.bars[0].fill == "#2e9d49");
  CHECK(svg.bars[1].fill == "#d1382f");
  CHECK(svg.bars[2].fill == "#e08a1e");
  CHECK(svg.bars[3].fill == "#9a9a9a");

  CHECK(count_prefixed(svg.texts, "sandbox ") == 3);
  const std::size_t ticks = count_tick_labels(svg.texts);
  CHECK(ticks >= 5);
  CHECK(ticks <= 11);
  for (const char* legend : {"success", "failure", "error", "cancelled"}) {
    CHECK(count_prefixed(svg.texts, legend) == 1);
  }

  // Position follows time and sandbox: same row, later start, further right;
  // higher sandbox index, lower row; longer batch, wider bar.
  CHECK(svg.bars[3].x > svg.bars[0].x);
  CHECK(svg.bars[3].y == doctest::Approx(svg.bars[0].y));
  CHECK(svg.bars[1].y > svg.bars[0].y);
  CHECK(svg.bars[2].y > svg.bars[1].y);
  CHECK(svg.bars[4].width > svg.bars[0].width);
  // Batch 1 spans 0.2–4.0 s of 9 s; batch 4 starts 4.1 s: just past its end.
  CHECK(svg.bars[4].x > svg.bars[1].x + svg.bars[1].width);
}

TEST_CASE("report::write_timeline_svg handles an empty or instantaneous run") {
  TempDir dir;
  const auto empty = dir / "empty.svg";
  REQUIRE(write_timeline_svg(empty, 0, {}, 0.0).ok());
  const Svg none = load_svg(empty);
  CHECK(none.bars.empty());
  CHECK(count_prefixed(none.texts, "sandbox ") == 0);

  const auto instant = dir / "instant.svg";
  REQUIRE(write_timeline_svg(instant, 2, {span(0, 1, 0.0, 0.0, BatchOutcome::Error, 0)}, 0.0).ok());
  const std::string text = offload::report::test::read_text(instant);
  CHECK(text.find("nan") == std::string::npos);
  CHECK(text.find("inf") == std::string::npos);
  const Svg svg = load_svg(instant);
  REQUIRE(svg.bars.size() == 1);
  CHECK(std::isfinite(svg.bars[0].x));
  CHECK(svg.bars[0].width > 0);
  CHECK(svg.bars[0].title == "batch 0: 0 tests, 0.00 s, error");
  CHECK(count_prefixed(svg.texts, "sandbox ") == 2);
}

TEST_CASE("report::write_timeline_svg scales to a thousand sandboxes") {
  TempDir dir;
  std::vector<BatchSpan> batches;
  for (std::size_t i = 0; i < 1000; ++i) {
    batches.push_back(span(i, i, 0.01 * static_cast<double>(i), 5.0, BatchOutcome::Success, 1));
  }
  const auto path = dir / "wide.svg";
  REQUIRE(write_timeline_svg(path, 1000, batches, 5.0).ok());
  const Svg svg = load_svg(path);
  CHECK(svg.bars.size() == 1000);
  CHECK(svg.height > 1000);
  CHECK(svg.height < 20000);
  CHECK(svg.bars.back().y > svg.bars.front().y);
  // Thin rows are labelled sparsely so the labels do not overlap.
  const std::size_t labels = count_prefixed(svg.texts, "sandbox ");
  CHECK(labels >= 100);
  CHECK(labels < 1000);
}

TEST_CASE("report::write_timeline_svg reports an unwritable path") {
  TempDir dir;
  const auto path = dir / "missing" / "timeline.svg";
  const auto status = write_timeline_svg(path, 1, sample_batches, 9.0);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find(path.string()) != std::string::npos);
  CHECK(offload::report::test::entry_count(dir.path()) == 0);
}

TEST_CASE("report::write_trace writes Chrome trace events per sandbox") {
  TempDir dir;
  const auto path = dir / "trace.json";
  std::vector<PhaseSpan> phases{{"discovery", -1, 0.0, 0.25}, {"create sandbox", 2, 0.1, 0.4}};
  const auto status = write_trace(path, 3, sample_batches, phases);
  REQUIRE_MESSAGE(status.ok(), status.error().message);
  CHECK(offload::report::test::entry_count(dir.path()) == 1);

  const auto events = nlohmann::json::parse(offload::report::test::read_text(path));
  REQUIRE(events.is_array());

  std::map<int, std::string> process_names;
  std::vector<nlohmann::json> batches;
  std::vector<nlohmann::json> phase_events;
  for (const auto& event : events) {
    if (event.at("ph") == "M") {
      CHECK(event.at("name") == "process_name");
      process_names[event.at("pid").get<int>()] = event.at("args").at("name").get<std::string>();
    } else {
      REQUIRE(event.at("ph") == "X");
      (event.at("cat") == "batch" ? batches : phase_events).push_back(event);
    }
  }
  CHECK(process_names == std::map<int, std::string>{
                             {0, "offload"}, {1, "sandbox 0"}, {2, "sandbox 1"}, {3, "sandbox 2"}});

  REQUIRE(batches.size() == sample_batches.size());
  for (std::size_t i = 0; i < batches.size(); ++i) {
    CHECK(batches[i].at("name") == "batch " + std::to_string(sample_batches[i].batch));
    CHECK(batches[i].at("pid").get<std::size_t>() == sample_batches[i].sandbox + 1);
    CHECK(batches[i].at("tid") == 0);
    CHECK(batches[i].at("args").at("tests").get<std::size_t>() == sample_batches[i].tests);
    CHECK(batches[i].at("args").at("outcome") == to_string(sample_batches[i].outcome));
  }
  CHECK(batches[1].at("ts").get<double>() == doctest::Approx(200000));
  CHECK(batches[1].at("dur").get<double>() == doctest::Approx(3800000));

  REQUIRE(phase_events.size() == 2);
  CHECK(phase_events[0].at("name") == "discovery");
  CHECK(phase_events[0].at("pid") == 0);
  CHECK(phase_events[0].at("dur").get<double>() == doctest::Approx(250000));
  CHECK(phase_events[1].at("pid") == 3);
}

TEST_CASE("report::write_trace reports an unwritable path") {
  TempDir dir;
  const auto path = dir / "missing" / "trace.json";
  const auto status = write_trace(path, 1, sample_batches, {});
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find(path.string()) != std::string::npos);
}

TEST_CASE("report::to_string names batch outcomes") {
  CHECK(std::string(to_string(BatchOutcome::Success)) == "success");
  CHECK(std::string(to_string(BatchOutcome::Failure)) == "failure");
  CHECK(std::string(to_string(BatchOutcome::Error)) == "error");
  CHECK(std::string(to_string(BatchOutcome::Cancelled)) == "cancelled");
}

TEST_SUITE_END();
