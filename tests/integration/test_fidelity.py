# SPDX-License-Identifier: MIT
"""offload's junit.xml against each framework's own direct run, test by test:
the same tests, the same verdicts, the same classname/name tree."""
import shutil
import subprocess

import pytest

from conftest import BUILD, SOURCE, assert_valid_surefire, cargo_test_results, junit_tree, run_offload
from test_cargo import BINARY_IDS
from test_gtest import single_binary_config

PYTHON = "/usr/bin/python3"


def copy_project(name, dest, *ignore):
    shutil.copytree(SOURCE / "examples" / name, dest,
                    ignore=shutil.ignore_patterns("test-results", ".state", "__pycache__", *ignore))
    return dest


def offload_tree(project, tmp_path):
    report = project / "test-results" / "junit.xml"
    assert_valid_surefire(report, tmp_path)
    return junit_tree(report)


@pytest.mark.plugins("provider_local", "framework_pytest")
def test_pytest_matches_its_own_junit(tmp_path):
    project = copy_project("pytest", tmp_path / "offload")
    res = run_offload(["run"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    got = offload_tree(project, tmp_path)

    direct = copy_project("pytest", tmp_path / "direct")
    subprocess.run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "--doctest-modules",
                    "--junitxml", str(tmp_path / "direct.xml")], cwd=direct, capture_output=True, timeout=120)
    expected = junit_tree(tmp_path / "direct.xml")
    flaky = ("tests.test_outcomes", "test_flaky")
    assert expected[flaky] == "failed" and got[flaky] == "flaky"  # offload retried it
    assert got == {**expected, flaky: "flaky"}
    # What the example is there to show.
    assert got[("", "tests.test_optional_dependency")] == "skipped"  # importorskip at import
    assert got[("tests.test_fixture_errors", "test_setup_error")] == "error"
    assert got[("tests.test_fixture_errors", "test_teardown_error")] == "error"
    assert got[("tests.textutil", "tests.textutil.whisper")] == "failed"  # a doctest
    assert got[("tests.test_outcomes", "test_expected_failure")] == "skipped"  # xfail
    assert got[("tests.test_basics.TestStrings", "test_broken")] == "failed"


def cargo_case(binary, test):
    """offload's tree for a cargo test: binary and module path, then the function."""
    if binary.endswith("::doctest") or "::" not in test:
        return binary, test
    path, name = test.rsplit("::", 1)
    return f"{binary}::{path}", name


def cargo_direct_tree(project):
    return {cargo_case(binary, test): result for binary, test, result in cargo_test_results(project, BINARY_IDS)}


@pytest.mark.plugins("provider_local", "framework_cargo")
def test_cargo_workspace_matches_cargo_test(tmp_path):
    project = copy_project("cargo", tmp_path / "cargo", "target", "Cargo.lock")
    expected = cargo_direct_tree(project)
    assert len(expected) == 20, expected
    res = run_offload(["run"], project, timeout=600)
    assert res.returncode == 1, res.stdout + res.stderr
    got = offload_tree(project, tmp_path)
    assert got == expected
    assert got[("offload-cargo-example::doctest", "src/lib.rs - divide (line 22)")] == "failed"
    assert got[("offload-words::doctest", "crates/words/src/lib.rs - count (line 10)")] == "skipped"
    assert got[("offload-words::tests::capitals", "leaves_an_empty_word_empty")] == "passed"


@pytest.mark.plugins("provider_local", "framework_gtest")
def test_gtest_matches_its_own_xml(tmp_path):
    binary = BUILD / "examples" / "gtest" / "calculator_test"
    (tmp_path / "offload.toml").write_text(single_binary_config(binary))
    res = run_offload(["run"], tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    got = offload_tree(tmp_path, tmp_path)
    direct = tmp_path / "direct.xml"
    subprocess.run([str(binary), f"--gtest_output=xml:{direct}"], capture_output=True, timeout=60)
    expected = junit_tree(direct)
    # gtest's XML says a DISABLED_ test did not run without a <skipped>;
    # offload reports it as skipped.
    for case in list(expected):
        if case[1].startswith("DISABLED_"):
            expected[case] = "skipped"
    assert got == expected
    assert got[("Arithmetic", "DISABLED_NotReadyYet")] == "skipped"
    assert got[("ArithmeticDeathTest", "AbortsOnRequest")] == "passed"
    assert got[("Widening/1", "KeepsSmallValues")] == "passed"
    assert got[("Small/Parity", "DoublingIsEven/2")] == "passed"


VITEST = SOURCE / "examples" / "vitest"


def vitest_project(dest):
    """A copy of examples/vitest sharing the installed node_modules (scripts/setup runs npm ci there)."""
    assert (VITEST / "node_modules" / ".bin" / "vitest").exists(), "run scripts/setup (npm ci in examples/vitest)"
    copy_project("vitest", dest, "node_modules")
    (dest / "node_modules").symlink_to(VITEST / "node_modules")
    return dest


@pytest.mark.plugins("provider_local", "framework_vitest")
def test_vitest_matches_its_own_junit(tmp_path):
    project = vitest_project(tmp_path / "offload")
    res = run_offload(["run"], project, timeout=300)
    assert res.returncode == 1, res.stdout + res.stderr
    got = offload_tree(project, tmp_path)

    direct = vitest_project(tmp_path / "direct")
    subprocess.run(["npx", "vitest", "run", "--reporter=junit", f"--outputFile={tmp_path / 'direct.xml'}"],
                   cwd=direct, capture_output=True, timeout=300)
    expected = junit_tree(tmp_path / "direct.xml")
    assert got == expected
    # `vitest list` leaves these out; offload finds them all the same.
    assert got[("tests/math.test.js", "arithmetic > is skipped on purpose")] == "skipped"  # it.skip
    assert got[("tests/strings.test.js", "names that need quoting > is still to be written")] == "skipped"  # it.todo
    assert got[("tests/strings.test.js", "not ready > waits for its suite")] == "skipped"  # in a describe.skip
    assert got[("tests/math.test.js", "arithmetic > division > rounds 7 / 2 to 4 (fails on purpose)")] == "failed"
    assert got[("tests/strings.test.js", "names that need quoting > says \"hi\" and it's fine")] == "passed"
    assert got[("tests/strings.test.js", "names that need quoting > keeps $(echo pwned) and `backticks` as text")] \
        == "passed"
    assert not (project / "pwned").exists()
