# SPDX-License-Identifier: MIT
"""What the vitest framework discovers: what `vitest list` lists, and the tests it leaves out because
the source skips them."""
import pytest

from conftest import run_offload, set_config
from test_fidelity import vitest_project

pytestmark = pytest.mark.plugins("provider_local", "framework_vitest")

SKIPPED_IN_SOURCE = {"tests/math.test.js > arithmetic > is skipped on purpose",
                     "tests/strings.test.js > names that need quoting > is still to be written",
                     "tests/strings.test.js > not ready > waits for its suite"}


def vitest_config(filters):
    return f"""
[offload]
max_parallel = 2

[provider]
type = "local"

[framework]
type = "vitest"

[groups.all]
filters = "{filters}"
"""


def collected(project):
    res = run_offload(["collect"], project, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    return {line.strip() for line in res.stdout.splitlines() if " > " in line}


def test_discovery_has_the_tests_the_source_skips(tmp_path):
    project = vitest_project(tmp_path / "project")
    set_config(project, vitest_config(""))
    tests = collected(project)
    assert SKIPPED_IN_SOURCE <= tests
    assert "tests/math.test.js > arithmetic > adds small numbers" in tests
    assert len(tests) == 11


def test_a_file_filter_keeps_the_skipped_tests_of_its_files_only(tmp_path):
    project = vitest_project(tmp_path / "project")
    set_config(project, vitest_config("tests/math"))
    tests = collected(project)
    assert "tests/math.test.js > arithmetic > is skipped on purpose" in tests
    assert all(t.startswith("tests/math.test.js > ") for t in tests), tests


def test_a_name_filter_brings_in_no_skipped_test_of_another_name(tmp_path):
    project = vitest_project(tmp_path / "project")
    set_config(project, vitest_config("-t adds"))
    assert collected(project) == {"tests/math.test.js > arithmetic > adds small numbers"}
