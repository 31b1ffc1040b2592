# SPDX-License-Identifier: MIT
"""The pytest framework end to end: real pytest on copies of examples/pytest."""
import json
import os
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import BUILD, SOURCE, assert_valid_surefire, junit_cases, run_offload, set_config, verdict

pytestmark = pytest.mark.plugins("provider_local", "framework_pytest")

PYTHON = "/usr/bin/python3"

# A pytest plugin of the tests' own, independent of offload's: it records each
# node ID's outcome as pytest reports it (xfail is a skip, like in JUnit).
ORACLE = """
import json, os

outcomes = {}
def pytest_runtest_logreport(report):
    if report.failed:
        outcomes[report.nodeid] = "failed"
    elif report.skipped and outcomes.get(report.nodeid) != "failed":
        outcomes[report.nodeid] = "skipped"
    else:
        outcomes.setdefault(report.nodeid, "passed")
def pytest_collectreport(report):
    if report.skipped:
        outcomes[report.nodeid] = "skipped"  # a module that skips itself at import
def pytest_sessionfinish(session):
    with open(os.environ["ORACLE_OUT"], "w") as out:
        json.dump(outcomes, out)
"""


def copy_example(dest):
    shutil.copytree(SOURCE / "examples" / "pytest", dest,
                    ignore=shutil.ignore_patterns(".state", "test-results", "__pycache__", ".pytest_cache"))
    return dest


@pytest.fixture
def project(tmp_path):
    """A private copy of examples/pytest."""
    return copy_example(tmp_path / "project")


def config(groups, framework="", parallel=4, workers=False):
    return f"""
[offload]
max_parallel = {parallel}
test_timeout_secs = 60
persistent_workers = {"true" if workers else "false"}

[provider]
type = "local"

[framework]
type = "pytest"
python = "{PYTHON}"
run_args = ["-p", "no:cacheprovider"]
{framework}

{groups}
"""


def pytest_direct(project, *args):
    return subprocess.run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=project,
                          capture_output=True, text=True, timeout=120)


def collected_ids(project, *args):
    res = pytest_direct(project, "--collect-only", "-q", *args)
    assert res.returncode in (0, 5), res.stdout + res.stderr
    return [line for line in res.stdout.splitlines() if "::" in line]


def direct_outcomes(project, tmp_path):
    """{node ID: outcome} of one plain pytest run of `project`."""
    oracle = tmp_path / "oracle"
    oracle.mkdir()
    (oracle / "offload_oracle.py").write_text(ORACLE)
    out = tmp_path / "oracle.json"
    env = dict(os.environ, PYTHONPATH=str(oracle), ORACLE_OUT=str(out))
    subprocess.run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-p", "offload_oracle", "--doctest-modules", "-q"],
                   cwd=project,
                   env=env, capture_output=True, text=True, timeout=120)
    return json.loads(out.read_text())


def batch_logs(project):
    logs = project / "test-results" / "logs"
    return "\n".join((logs / name).read_text(errors="replace") for name in sorted(os.listdir(logs)))


def test_run_gives_the_verdicts_pytest_gives(project, tmp_path):
    res = run_offload(["run"], project)
    assert res.returncode == 1, res.stdout + res.stderr  # test_broken fails for real
    cases = junit_cases(project)
    offload_verdicts = {test_id: verdict(tc) for test_id, tc in cases.items()}

    direct = direct_outcomes(copy_example(tmp_path / "fresh"), tmp_path)
    flaky = "tests/test_outcomes.py::test_flaky"
    assert direct[flaky] == "failed" and offload_verdicts[flaky] == "flaky"
    assert offload_verdicts == {**direct, flaky: "flaky"}
    assert "not-run" not in offload_verdicts.values()
    # The awkward IDs made it there and back unchanged.
    for test_id in ["tests/test_basics.py::test_awkward_ids[say \"hi\"]", "tests/test_basics.py::test_awkward_ids[a::b]",
                    "tests/test_basics.py::test_awkward_ids[$(echo pwned)]", "tests/sub/test_nested.py::test_nested"]:
        assert offload_verdicts[test_id] == "passed", test_id
    assert offload_verdicts["tests/test_outcomes.py::test_expected_failure"] == "skipped"
    assert "deliberately wrong" in cases["tests/test_basics.py::TestStrings::test_broken"].find("failure").get("message")
    assert not (project / "pwned").exists()
    assert_valid_surefire(project / "test-results" / "junit.xml", tmp_path)


def test_collect_lists_exactly_what_pytest_lists(project):
    res = run_offload(["collect", "-f", "json"], project)
    assert res.returncode == 0, res.stderr
    records = json.loads(res.stdout)
    by_group = {}
    for record in records:
        by_group.setdefault(record["group"], []).append(record["id"])
        assert record["file"] == record["id"].split("::")[0]
    skips_itself = "tests/test_optional_dependency.py"  # listed by no --collect-only
    assert by_group["unit"] == collected_ids(project, "--doctest-modules", "-m", "not slow") + [skips_itself]
    assert by_group["slow"] == collected_ids(project, "--doctest-modules", "-m", "slow")
    assert sorted(r["id"] for r in records) == sorted(collected_ids(project, "--doctest-modules") + [skips_itself])


def test_two_thousand_ids_reach_pytest_through_a_file(project):
    (project / "tests" / "test_many.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.parametrize('n', range(2000), ids=[f'case {i} it\\'s \"q\" [x]' for i in range(2000)])\n"
        "def test_many(n):\n"
        "    assert n >= 0\n")
    set_config(project, config('[groups.many]\nretry_count = 0', framework='paths = ["tests/test_many.py"]',
                               parallel=2, workers=False))
    res = run_offload(["run"], project, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    cases = junit_cases(project)
    assert len(cases) == 2000
    assert {verdict(tc) for tc in cases.values()} == {"passed"}
    assert "tests/test_many.py::test_many[case 1999 it's \"q\" [x]]" in cases
    assert "--offload-ids=" in batch_logs(project)


def test_collection_error_names_the_file(project):
    (project / "tests" / "test_import_error.py").write_text("import no_such_module_anywhere\n")
    res = run_offload(["run"], project)
    assert res.returncode != 0
    assert ("pytest collection failed in tests/test_import_error.py: "
            "ModuleNotFoundError: No module named 'no_such_module_anywhere'") in res.stderr


def test_a_group_that_selects_nothing_fails_unless_allowed(project):
    set_config(project, config("""
[groups.fine]
filters = "-k 'test_sorted or test_nested'"

[groups.empty]
filters = "-m slow -k no_such_test"
"""))
    res = run_offload(["run"], project)
    # A typo in a filter must not turn CI green.
    assert res.returncode == 1, res.stdout + res.stderr
    assert "groups.empty: selects no tests (filters: -m slow -k no_such_test)" in res.stderr
    assert "--no-tests=warn" in res.stderr
    res = run_offload(["run", "--no-tests=warn"], project)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "groups.empty: selects no tests" in res.stderr
    assert set(junit_cases(project)) == {"tests/test_basics.py::test_sorted", "tests/sub/test_nested.py::test_nested"}


def test_a_python_that_does_not_exist_is_named(project):
    set_config(project, config('[groups.all]').replace(f'python = "{PYTHON}"', 'python = "/nonexistent/python3"'))
    res = run_offload(["collect"], project)
    assert res.returncode != 0
    assert ("python '/nonexistent/python3' cannot be executed (no such file, or not executable); set [framework] "
            "python to an interpreter with pytest, e.g. /usr/bin/python3") in res.stderr


def test_a_python_without_pytest_is_named(project, tmp_path):
    shim = tmp_path / "python-without-site"
    shim.write_text(f'#!/bin/sh\nexec {PYTHON} -S "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    set_config(project, config('[groups.all]').replace(f'python = "{PYTHON}"', f'python = "{shim}"'))
    res = run_offload(["collect"], project)
    assert res.returncode != 0
    assert (f"'{shim}' has no pytest module (No module named pytest); set [framework] python to an interpreter "
            "with pytest, e.g. /usr/bin/python3") in res.stderr


def test_init_writes_a_pytest_config_that_validates(tmp_path):
    res = run_offload(["init", "-f", "pytest"], tmp_path)
    assert res.returncode == 0, res.stderr
    text = (tmp_path / "offload.toml").read_text()
    assert 'type = "pytest"' in text and 'python = "python3"' in text
    res = run_offload(["validate"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert "Framework: pytest" in res.stdout


def test_fail_fast_passes_x_to_pytest(project):
    set_config(project, config("[groups.all]\nretry_count = 0", parallel=1, workers=False))
    res = run_offload(["run", "--fail-fast"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    logs = batch_logs(project)
    assert "-q -x -p no:cacheprovider" in logs, logs[:2000]
    # pytest stopped at the first failure: the tests after it in its batch did not run there.
    assert "stopping after 1 failures" in logs


def test_unknown_framework_key_points_at_its_line(project):
    text = config("[groups.all]").replace("run_args =", "pythn = 1\nrun_args =")
    set_config(project, text)
    line = text.splitlines().index("pythn = 1") + 1
    res = run_offload(["validate"], project)
    assert res.returncode != 0
    message = res.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"offload.toml:{line}" in message and "did you mean 'python'" in message


def test_bundled_plugin_runs_only_listed_ids_and_names_cases_by_id(project, tmp_path):
    """The plugin alone: unknown IDs are reported, not fatal; names are node IDs."""
    ids = tmp_path / "batch.ids"
    wanted = ["tests/test_basics.py::test_awkward_ids[it's]", "tests/test_basics.py::TestStrings::test_len[two words]",
              "tests/test_basics.py::test_gone"]
    ids.write_text("\n".join(wanted) + "\n")
    result = tmp_path / "result.xml"
    env = dict(os.environ, PYTHONPATH=str(BUILD / "bundled"))
    res = subprocess.run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-p", "offload_pytest",
                          f"--offload-ids={ids}", f"--junitxml={result}", "-o", "junit_family=xunit1", "-q",
                          "-W", "error", "tests/test_basics.py"],
                         cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 of 3 listed test IDs were not collected: tests/test_basics.py::test_gone" in res.stdout
    names = [tc.get("name") for tc in ET.parse(result).getroot().iter("testcase")]
    assert names == wanted[:2]

    ids.write_text("tests/test_basics.py::test_gone\n")
    res = subprocess.run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-p", "offload_pytest",
                          f"--offload-ids={ids}", f"--junitxml={result}", "-q", "tests/test_basics.py"],
                         cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert list(ET.parse(result).getroot().iter("testcase")) == []
