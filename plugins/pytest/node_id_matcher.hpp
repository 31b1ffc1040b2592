// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace offload::plugins {

/// How pytest's own JUnit writer names a node ID: "tests/test_x.py::TestC::test_a[1]"
/// becomes classname "tests.test_x.TestC" and name "test_a[1]" (the path
/// dotted, ".py" dropped, parameters kept whole even when they hold "::").
struct JunitName {
  std::string classname;
  std::string name;
};
JunitName junit_name_of(const std::string& node_id);

/// Finds which node ID of a batch a JUnit testcase reports on.
class NodeIdMatcher {
public:
  explicit NodeIdMatcher(const std::vector<std::string>& batch);

  /// The batch ID equal to `name` (what the bundled plugin writes), else the
  /// only ID that pytest's default writer would name `classname` + `name`
  /// (classname may carry a junit_prefix before it). Nothing otherwise.
  std::optional<std::string> match(const std::string& name, const std::string& classname) const;

private:
  std::set<std::string> m_ids;
  std::multimap<std::string, std::pair<std::string, std::string>> m_by_name; ///< name -> (classname, ID)
};

} // namespace offload::plugins
