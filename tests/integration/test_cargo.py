# SPDX-License-Identifier: MIT
"""The cargo framework on the real example crate, compared with `cargo test` itself."""
import json
import re
import shutil
import subprocess

import pytest

from conftest import SOURCE, assert_valid_surefire, cargo_test_results, junit_cases, run_offload, verdict

pytestmark = pytest.mark.plugins("provider_local", "framework_cargo")

PACKAGE = "offload-cargo-example"
# The test binary each "Running" line of `cargo test` names (its file name
# before the hash), as binary IDs (nextest's naming).
BINARY_IDS = {
    "offload_cargo_example": PACKAGE,
    "calc": f"{PACKAGE}::bin/calc",
    "integration": f"{PACKAGE}::integration",
    "offload_words": "offload-words",
    "words": "offload-words::words",
}


def cargo_verdicts(project, *libtest_args):
    """{test ID: verdict} from running `cargo test` directly in `project`."""
    verdicts = {f"{binary} {test}": result for binary, test, result in
                cargo_test_results(project, BINARY_IDS, *libtest_args)}
    assert len(verdicts) == 20, verdicts
    return verdicts


@pytest.fixture(scope="session")
def built_crate(tmp_path_factory):
    """One copy of examples/cargo per test worker, built once by `cargo test`.

    Every test works on this same copy (a new path would make cargo rebuild
    everything), restoring offload.toml and clearing reports first.
    """
    root = tmp_path_factory.mktemp("cargo")
    project = root / "cargo"
    shutil.copytree(SOURCE / "examples" / "cargo", project,
                    ignore=shutil.ignore_patterns("target", "test-results", "Cargo.lock"))
    return project, cargo_verdicts(project)


@pytest.fixture
def crate(built_crate):
    project, expected = built_crate
    shutil.copy(SOURCE / "examples" / "cargo" / "offload.toml", project / "offload.toml")
    shutil.rmtree(project / "test-results", ignore_errors=True)
    return project, expected


def offload_verdicts(project, report="test-results/junit.xml"):
    return {test_id: verdict(tc) for test_id, tc in junit_cases(project, report).items()}


def set_framework_option(project, line):
    """Puts `line` ("key = value") in [framework], replacing that key's line if there is one."""
    key = line.split("=")[0].strip()
    text = (project / "offload.toml").read_text()
    text = re.sub(rf"^{key} = .*\n", "", text, flags=re.M)
    (project / "offload.toml").write_text(text.replace('type = "cargo"\n', f'type = "cargo"\n{line}\n'))


def test_run_gives_cargo_tests_own_verdicts(crate, tmp_path):
    project, expected = crate
    res = run_offload(["run"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    got = offload_verdicts(project)
    assert got == expected
    assert "not-run" not in got.values()
    assert_valid_surefire(project / "test-results" / "junit.xml", tmp_path)
    failed = junit_cases(project)[f"{PACKAGE} tests::fails_on_purpose"]
    assert "this test fails on purpose" in failed.find("failure").get("message")
    assert "about to compare 2 + 2 with 5" in "".join(failed.find("failure").itertext())
    assert len(failed.findall("rerunFailure")) == 1  # group "unit" retries once


def test_groups_select_targets_like_cargo(crate):
    project, expected = crate
    res = run_offload(["collect", "-f", "json"], project)
    assert res.returncode == 0, res.stderr
    groups = {}
    for record in json.loads(res.stdout):
        groups.setdefault(record["group"], set()).add(record["id"])
        assert record["file"] == record["id"].split(" ")[0]  # its test binary
    assert groups["unit"] == {i for i in expected if i.split(" ")[0] in (PACKAGE, "offload-words")}
    assert groups["doc"] == {i for i in expected if i.split(" ")[0].endswith("::doctest")}
    assert groups["other"] == set(expected) - groups["unit"] - groups["doc"]


def test_include_ignored_runs_the_ignored_test_too(crate):
    project, expected = crate
    set_framework_option(project, "include_ignored = true")
    res = run_offload(["run"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    got = offload_verdicts(project)
    ignored = f"{PACKAGE} tests::ignored_slow_check"
    assert expected[ignored] == "skipped" and got[ignored] == "passed"
    assert got == cargo_verdicts(project, "--include-ignored")


def test_the_build_happens_once_and_batches_run_the_binaries(crate, tmp_path):
    project, expected = crate
    calls = tmp_path / "cargo-calls"
    wrapper = tmp_path / "cargo"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{calls}"\nexec {shutil.which("cargo")} "$@"\n')
    wrapper.chmod(0o755)
    set_framework_option(project, f'cargo = "{wrapper}"')
    (project / "offload.toml").write_text((project / "offload.toml").read_text().replace(
        "max_parallel = 2", "max_parallel = 3"))
    res = run_offload(["run"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    assert offload_verdicts(project) == expected
    invocations = calls.read_text().splitlines()
    # Three groups were discovered, several batches ran: cargo built once;
    # it listed each library's doctests and ran them (rustdoc compiles them).
    assert [c for c in invocations if c.startswith("test --no-run")] == [
        "test --no-run --message-format=json-render-diagnostics"], invocations
    assert sorted(c for c in invocations if c.endswith("--list --format terse")) == [
        f"test --doc -p {package} -- --list --format terse" for package in (PACKAGE, "offload-words")]
    assert all(c.startswith(("test ", "nextest --version")) for c in invocations), invocations
    logs = project / "test-results" / "logs"
    commands = [json.loads(line.split("command: ", 1)[1])["shell"]
                for log in logs.iterdir() for line in log.read_text().splitlines()
                if line.startswith("[offload] command: ")]
    assert len(commands) >= 2
    for command in commands:
        if "::doctest" in command:
            assert f"{wrapper} test --doc -p" in command
        else:
            assert str(wrapper) not in command and "cargo " not in command
            assert "--exact" in command and "/target/debug/deps/" in command


def test_working_dir_points_at_the_crate_from_elsewhere(crate):
    project, expected = crate
    config = (project / "offload.toml").read_text().replace(
        'type = "cargo"\n', 'type = "cargo"\nworking_dir = "cargo"\n')
    (project.parent / "elsewhere.toml").write_text(config)
    res = run_offload(["run", "-c", "elsewhere.toml"], project.parent)
    assert res.returncode == 1, res.stdout + res.stderr
    # The package's tests still run in the package directory (they read Cargo.toml).
    assert offload_verdicts(project.parent) == expected
    shutil.rmtree(project.parent / "test-results")


def test_init_writes_a_cargo_config_that_runs(crate):
    project, expected = crate
    (project / "offload.toml").unlink()
    res = run_offload(["init", "-f", "cargo"], project)
    assert res.returncode == 0, res.stderr
    res = run_offload(["run"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    assert offload_verdicts(project) == expected


def test_unknown_option_is_reported_with_its_line_and_a_suggestion(crate):
    project, _ = crate
    set_framework_option(project, "include_ignore = true")
    line = (project / "offload.toml").read_text().splitlines().index("include_ignore = true") + 1
    res = run_offload(["validate"], project)
    assert res.returncode == 1
    assert f"offload.toml:{line}:" in res.stderr
    assert "did you mean 'include_ignored'" in res.stderr


def test_bad_filter_is_reported_for_its_group(crate):
    project, _ = crate
    text = (project / "offload.toml").read_text().replace('filters = "--lib"', 'filters = "--lib --release"')
    (project / "offload.toml").write_text(text)
    res = run_offload(["collect"], project)
    assert res.returncode == 1
    assert "group 'unit'" in res.stderr and "filters: unsupported option '--release'" in res.stderr
