# SPDX-License-Identifier: MIT
"""Fixtures that drive the real offload binary on copies of real projects."""
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from proc_tree import descendants

BUILD = Path(os.environ.get("OFFLOAD_BUILD_ROOT", Path(__file__).resolve().parents[2] / "build"))
SOURCE = Path(os.environ.get("OFFLOAD_SOURCE_ROOT", Path(__file__).resolve().parents[2]))
OFFLOAD = BUILD / "core" / "offload"
FIXTURE_PLUGINS = BUILD / "tests" / "plugins"
# data/ holds projects that tests run; their tests are not this suite's.
collect_ignore = ["data"]
# The plugin types this build has (meson's provider_*/framework_* options);
# run by hand on a full build, every one.
BUILT_PLUGINS = set(filter(None, os.environ.get("OFFLOAD_TEST_PLUGINS", ",".join(
    ["provider_local", "provider_default", "provider_modal", "provider_ssh", "framework_default",
     "framework_pytest", "framework_cargo", "framework_gtest", "framework_vitest"])).split(",")))
XSD_CANDIDATES = [SOURCE.parent / "shared" / "schemas" / "surefire-test-report-3.0.xsd",
                  SOURCE / "tests" / "integration" / "data" / "surefire-test-report-3.0.xsd"]


def require_plugins(*types):
    """Skips the calling test unless the build has every plugin type named (e.g. "provider_local")."""
    missing = sorted(set(types) - BUILT_PLUGINS)
    if missing:
        pytest.skip("built without " + ", ".join(missing))


def pytest_configure(config):
    config.addinivalue_line("markers", "plugins(*types): the plugin types (meson options) the test needs")


def pytest_runtest_setup(item):
    for mark in item.iter_markers("plugins"):
        require_plugins(*mark.args)


def _hang_report(proc, cwd):
    """What a run that did not end was doing: its process tree and the tails of its logs."""
    lines = ["processes below offload (pid %d):" % proc.pid]
    lines += ["%s%d [%s] %s" % ("  " * depth, pid, wchan, command[:300])
              for pid, depth, wchan, command in descendants(proc.pid)]
    for log in sorted(Path(cwd).glob("**/logs/*"))[:20]:
        if log.is_file():
            lines.append("--- %s:" % log)
            lines += log.read_text(errors="replace").splitlines()[-15:]
    return "\n".join(lines)


def run_offload(args, cwd, timeout=120, env=None, input=None, **kw):
    full_env = dict(os.environ)
    full_env.pop("CI", None)
    full_env.update(env or {})
    with subprocess.Popen([str(OFFLOAD), *args], cwd=cwd, env=full_env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, stdin=subprocess.PIPE if input is not None else None, **kw) as proc:
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            report = _hang_report(proc, cwd)
            # SIGTERM first: offload then cleans up and says where it stood.
            proc.terminate()
            try:
                out, err = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
            raise AssertionError("offload %s did not end within %d s\n%s\nstdout:\n%s\nstderr:\n%s"
                                 % (" ".join(args), timeout, report, out[-3000:], err[-6000:])) from None
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture
def offload():
    return run_offload


@pytest.fixture
def scripted(tmp_path):
    """A private copy of examples/scripted."""
    dest = tmp_path / "scripted"
    shutil.copytree(SOURCE / "examples" / "scripted", dest, ignore=shutil.ignore_patterns(".state", "test-results"))
    return dest


def write_test(project, name, body):
    (project / "tests" / f"{name}.sh").write_text(body)


def set_config(project, text):
    (project / "offload.toml").write_text(text)


def scripted_config(filters="'.'", retry=0, timeout=60, parallel=4, extra_offload=""):
    return f"""
[offload]
max_parallel = {parallel}
test_timeout_secs = {timeout}
{extra_offload}

[provider]
type = "local"

[framework]
type = "default"
discover_command = "/usr/bin/python3 runner.py list {{filters}}"
run_command = "/usr/bin/python3 runner.py run {{result_file}} {{tests}}"

[groups.all]
retry_count = {retry}
filters = "{filters}"
"""


def junit_cases(project, path="test-results/junit.xml"):
    """{test id: testcase element} for the discovered tests in offload's report.

    A testcase is named as its framework names it; the history file beside
    the report lists each test's ID with those names.
    """
    report = project / path
    ids = {}
    history = report.parent / "offload-history.json"
    if history.exists():
        for entry in json.loads(history.read_text()).get("listing", {}).get("tests", []):
            if len(entry) == 5:
                ids[(entry[1], entry[3], entry[4])] = entry[0]
    root = ET.parse(report).getroot()
    return {ids.get((tc.get("group"), tc.get("classname"), tc.get("name")), tc.get("name")): tc
            for suite in root.iter("testsuite") if suite.get("name") != "unmatched results"
            for tc in suite.iter("testcase")}


def junit_tree(report):
    """{(classname, name): verdict} of a JUnit file, offload's or a framework's own.

    Verdicts: passed, failed (<failure>), error (<error>), skipped, flaky.
    """
    tree = {}
    for tc in ET.parse(report).getroot().iter("testcase"):
        tags = {child.tag for child in tc}
        if "failure" in tags:
            result = "failed"
        elif "error" in tags:
            result = "error"
        elif "flakyFailure" in tags or "flakyError" in tags:
            result = "flaky"
        elif "skipped" in tags:
            result = "skipped"
        else:
            result = "passed"
        tree[(tc.get("classname"), tc.get("name"))] = result
    return tree


def verdict(tc):
    tags = {child.tag for child in tc}
    error = tc.find("error")
    if error is not None and error.get("type") == "not-run":
        return "not-run"
    if "failure" in tags or "error" in tags:
        return "failed"
    if "flakyFailure" in tags or "flakyError" in tags:
        return "flaky"
    if "skipped" in tags:
        return "skipped"
    return "passed"


def cargo_test_results(project, binaries, *libtest_args):
    """[(binary ID, test name, verdict)] of one `cargo test --no-fail-fast` in `project`.

    `binaries` maps a test executable's file name (before its hash) to its
    binary ID; a package's doctests are "<package>::doctest".
    """
    # One pipe for both streams keeps cargo's "Running" lines (stderr) in
    # order with the test binaries' results (stdout).
    res = subprocess.run(["cargo", "test", "--no-fail-fast", "--", *libtest_args], cwd=project,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    results, binary = [], None
    for line in res.stdout.splitlines():
        running = re.match(r"\s*Running .+? \(target/debug/deps/(\w+)-[0-9a-f]+\)", line)
        doc = re.match(r"\s*Doc-tests (\S+)", line)
        if running:
            binary = binaries[running.group(1)]
        elif doc:
            binary = doc.group(1).replace("_", "-") + "::doctest"
        test = re.match(r"test (.+?)(?: - should panic)? \.\.\. (ok|FAILED|ignored)", line)
        if test and binary:
            results.append((binary, test.group(1), {"ok": "passed", "FAILED": "failed", "ignored": "skipped"}[test.group(2)]))
    return results


def xsd_path():
    for p in XSD_CANDIDATES:
        if p.exists():
            return p
    raise AssertionError("surefire XSD not found in " + ", ".join(map(str, XSD_CANDIDATES)))


def assert_valid_surefire(report, tmp_path):
    """Every <testsuite> of the report validates against the Surefire XSD."""
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    assert suites, "report has no testsuite"
    for i, suite in enumerate(suites):
        part = tmp_path / f"suite-{i}.xml"
        ET.ElementTree(suite).write(part, encoding="utf-8", xml_declaration=True)
        res = subprocess.run(["xmllint", "--noout", "--schema", str(xsd_path()), str(part)],
                             capture_output=True, text=True)
        assert res.returncode == 0, res.stderr


def run_c_fixture(project):
    """Runs the C fixture framework configured in `project` (tests/plugins/sdk_only.c) and
    checks the verdicts its runner always reports: c_beta fails, the others pass."""
    res = run_offload(["run", "--plugin-dir", str(FIXTURE_PLUGINS)], project)
    assert res.returncode == 1, res.stdout + res.stderr
    cases = junit_cases(project)
    assert [verdict(cases[t]) for t in ("c_alpha", "c_beta", "c_gamma")] == ["passed", "failed", "passed"]
    return res
