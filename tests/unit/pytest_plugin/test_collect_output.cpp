// SPDX-License-Identifier: MIT
#include "collect_output.hpp"

#include "../plugin_support/fake_host.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using offload::plugins::CollectOutput;
using offload::plugins::explain_collect_failure;
using offload::plugins::lacks_pytest_module;
using offload::plugins::parse_collected_ids;
using offload::plugins::printed_collection_tree;
using offload::plugin_support::testing::lines_of;
using Lines = std::vector<std::string>;

namespace {

// What pytest 7.2 printed for these cases, verbatim.
const char* const k_listing = R"(tests/test_a.py::test_p[a b]
tests/test_a.py::test_p[it's]
tests/test_a.py::test_p[say "hi"]
tests/test_a.py::test_p[\xfcn\xef]
tests/test_a.py::test_p[x[1]]
tests/test_a.py::test_p[::x]
tests/test_a.py::TestC::test_m
tests/test_warn.py::test_w
tests/sub/test_b.py::test_b

=============================== warnings summary ===============================
tests/test_warn.py:2
  /tmp/pyexp/proj/tests/test_warn.py:2: UserWarning: at import
    warnings.warn("at import", UserWarning)

tests/test_a.py::test_p[a b]
  /tmp/pyexp/proj/tests/test_a.py:3: UserWarning: in a test

-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html
9 tests collected in 0.01s
)";

const char* const k_collection_errors = R"(tests/test_a.py::test_p[a b]
tests/sub/test_b.py::test_b

==================================== ERRORS ====================================
______________________ ERROR collecting tests/test_bad.py ______________________
ImportError while importing test module '/tmp/pyexp/proj/tests/test_bad.py'.
Hint: make sure your test modules/packages have valid Python names.
Traceback:
/usr/lib/python3.11/importlib/__init__.py:126: in import_module
    return _bootstrap._gcd_import(name[level:], package, level)
tests/test_bad.py:1: in <module>
    import nope
E   ModuleNotFoundError: No module named 'nope'
_____________________ ERROR collecting tests/test_bad2.py ______________________
/usr/lib/python3/dist-packages/_pytest/assertion/rewrite.py:342: in _rewrite_test
    tree = ast.parse(source, filename=strfn)
E     File "/tmp/pyexp/proj/tests/test_bad2.py", line 1
E       def test_y(:
E                  ^
E   SyntaxError: invalid syntax
=========================== short test summary info ============================
ERROR tests/test_bad.py
ERROR tests/test_bad2.py
!!!!!!!!!!!!!!!!!!! Interrupted: 2 errors during collection !!!!!!!!!!!!!!!!!!!!
2 tests collected, 2 errors in 0.18s
)";

const char* const k_tree = R"(============================= test session starts ==============================
platform linux -- Python 3.11.2, pytest-7.2.1, pluggy-1.0.0+repack
rootdir: /tmp/pyexp/proj
collected 1 item

<Package sub>
  <Module test_b.py>
    <Function test_b>

========================== 1 test collected in 0.01s ===========================
)";

} // namespace

TEST_SUITE_BEGIN("pytest_plugin");

TEST_CASE("parse_collected_ids keeps whole lines and stops before the summary") {
  const Lines ids = parse_collected_ids(lines_of(k_listing));
  CHECK(ids == Lines{"tests/test_a.py::test_p[a b]", "tests/test_a.py::test_p[it's]",
                     R"(tests/test_a.py::test_p[say "hi"])", R"(tests/test_a.py::test_p[\xfcn\xef])",
                     "tests/test_a.py::test_p[x[1]]", "tests/test_a.py::test_p[::x]", "tests/test_a.py::TestC::test_m",
                     "tests/test_warn.py::test_w", "tests/sub/test_b.py::test_b"});
}

TEST_CASE("parse_collected_ids takes Unicode and strips only a carriage return") {
  CHECK(parse_collected_ids({"tests/test_ü.py::test_ünï\r", "tests/t.py::test_x[a ]", "", "1 test collected"}) ==
        Lines{"tests/test_ü.py::test_ünï", "tests/t.py::test_x[a ]"});
}

TEST_CASE("parse_collected_ids finds nothing in an empty selection") {
  CHECK(parse_collected_ids(lines_of("\nno tests collected (8 deselected) in 0.01s\n")).empty());
  CHECK(parse_collected_ids({}).empty());
}

TEST_CASE("parse_collected_ids skips tree lines and never reads past a banner") {
  CHECK(parse_collected_ids(lines_of(k_tree)).empty());
  CHECK(parse_collected_ids({"<Module tests/test_a.py>", "  <Function test_a>", "tests/t.py::test_a"}) ==
        Lines{"tests/t.py::test_a"});
  // Without IDs before it, the warnings summary (which names tests) is not a listing.
  CHECK(parse_collected_ids(lines_of("=== warnings summary ===\ntests/t.py::test_a\n  warning\n")).empty());
}

TEST_CASE("printed_collection_tree recognises the verbose form only") {
  CHECK(printed_collection_tree(lines_of(k_tree)));
  CHECK_FALSE(printed_collection_tree(lines_of(k_listing)));
}

TEST_CASE("explain_collect_failure names the files that failed and the first error") {
  const CollectOutput output{2, lines_of(k_collection_errors), {}};
  CHECK(explain_collect_failure(output, "/usr/bin/python3") ==
        "pytest collection failed in tests/test_bad.py, tests/test_bad2.py: "
        "ModuleNotFoundError: No module named 'nope'");
  const CollectOutput syntax{2, lines_of(R"(
______________________ ERROR collecting tests/test_bad2.py ______________________
E     File "/tmp/pyexp/proj/tests/test_bad2.py", line 1
E       def test_y(:
E   SyntaxError: invalid syntax
=========================== short test summary info ============================
)"), {}};
  CHECK(explain_collect_failure(syntax, "python3") ==
        "pytest collection failed in tests/test_bad2.py: SyntaxError: invalid syntax");
}

TEST_CASE("explain_collect_failure tells a Python without pytest") {
  const CollectOutput output{1, {}, {"/x/python3: No module named pytest"}};
  CHECK(lacks_pytest_module(output));
  CHECK(explain_collect_failure(output, "/x/python3") ==
        "'/x/python3' has no pytest module (No module named pytest); set [framework] python to an interpreter "
        "with pytest, e.g. /usr/bin/python3");
}

TEST_CASE("explain_collect_failure falls back to the status and pytest's last words") {
  const CollectOutput usage{4,
                            {},
                            {"ERROR: usage: __main__.py [options] [file_or_dir] [file_or_dir] [...]",
                             "__main__.py: error: unrecognized arguments: --bogus", "  inifile: None",
                             "  rootdir: /tmp/p", ""}};
  CHECK_FALSE(lacks_pytest_module(usage));
  CHECK(explain_collect_failure(usage, "python3") ==
        "pytest --collect-only exited with status 4: __main__.py: error: unrecognized arguments: --bogus");
  CHECK(explain_collect_failure({4, {}, {"ERROR: file or directory not found: nope", ""}}, "python3") ==
        "pytest --collect-only exited with status 4: ERROR: file or directory not found: nope");
  CHECK(explain_collect_failure({3, {"internal", ""}, {}}, "python3") ==
        "pytest --collect-only exited with status 3: internal");
  CHECK(explain_collect_failure({139, {}, {}}, "python3") == "pytest --collect-only exited with status 139: no output");
}

TEST_SUITE_END();
