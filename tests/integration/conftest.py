# SPDX-License-Identifier: MIT
"""Fixtures that drive the real offload binary on copies of real projects."""
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

BUILD = Path(os.environ.get("OFFLOAD_BUILD_ROOT", Path(__file__).resolve().parents[2] / "build"))
SOURCE = Path(os.environ.get("OFFLOAD_SOURCE_ROOT", Path(__file__).resolve().parents[2]))
OFFLOAD = BUILD / "core" / "offload"
FIXTURE_PLUGINS = BUILD / "tests" / "plugins"
# data/ holds projects that tests run; their tests are not this suite's.
collect_ignore = ["data"]
XSD_CANDIDATES = [SOURCE.parent / "shared" / "schemas" / "surefire-test-report-3.0.xsd",
                  SOURCE / "tests" / "integration" / "data" / "surefire-test-report-3.0.xsd"]


def run_offload(args, cwd, timeout=120, env=None, **kw):
    full_env = dict(os.environ)
    full_env.pop("CI", None)
    full_env.update(env or {})
    return subprocess.run([str(OFFLOAD), *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout, **kw)


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
    """{test id: testcase element} for the discovered tests in offload's report."""
    root = ET.parse(project / path).getroot()
    return {tc.get("name"): tc for suite in root.iter("testsuite") if suite.get("name") != "unmatched results"
            for tc in suite.iter("testcase")}


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
