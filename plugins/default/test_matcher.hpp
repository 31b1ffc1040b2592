// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace offload::plugins {

/// A test name in a comparable form: ".py" dropped where a module path
/// ends, "/" and "::" turned into ".", and empty components removed, so
/// "tests/test_x.py::TestA::test_a" becomes "tests.test_x.TestA.test_a".
std::string normalise_test_name(std::string_view name);

/// Finds which test ID of a batch a JUnit testcase reports on.
class TestMatcher {
public:
  explicit TestMatcher(const std::vector<std::string>& batch);

  /// The batch ID equal to `formatted` (the case through test_id_format),
  /// else the one equal to the case's plain `name`, else the only ID whose
  /// normalised form ends with the normalised `formatted` on a "." boundary
  /// or is such an ending of it. Nothing when no ID, or several, qualify.
  std::optional<std::string> match(const std::string& formatted, const std::string& name) const;

private:
  std::set<std::string> m_ids;
  std::vector<std::pair<std::string, std::string>> m_normalised; ///< (normalised, ID)
};

} // namespace offload::plugins
