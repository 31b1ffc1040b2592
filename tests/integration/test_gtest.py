# SPDX-License-Identifier: MIT
"""The gtest framework on the real GoogleTest example programs, compared with running them directly."""
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import BUILD, SOURCE, assert_valid_surefire, junit_cases, run_offload, verdict

pytestmark = pytest.mark.plugins("provider_local", "framework_gtest")

BINARIES = BUILD / "examples" / "gtest"
CALCULATOR = BINARIES / "calculator_test"
STRINGS = BINARIES / "strings_test"


def gtest_verdicts(binary, tmp_path, prefix=""):
    """{test ID: verdict} from the binary's own --gtest_output=xml report."""
    report = tmp_path / f"{binary.name}.xml"
    subprocess.run([str(binary), f"--gtest_output=xml:{report}"], capture_output=True, timeout=60)
    verdicts = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.get("status") == "notrun":
            result = "skipped"  # DISABLED_: listed, not run
        elif case.find("failure") is not None:
            result = "failed"
        elif case.find("skipped") is not None or case.get("result") == "skipped":
            result = "skipped"
        else:
            result = "passed"
        verdicts[f"{prefix}{case.get('classname')}.{case.get('name')}"] = result
    return verdicts


@pytest.fixture
def gtest_example(tmp_path):
    """A copy of examples/gtest whose config points at the build tree's binaries."""
    assert CALCULATOR.exists() and STRINGS.exists(), f"build the examples first: ninja -C {BUILD}"
    project = tmp_path / "gtest"
    shutil.copytree(SOURCE / "examples" / "gtest", project, ignore=shutil.ignore_patterns("test-results"))
    config = project / "offload.toml"
    config.write_text(config.read_text().replace("../../build", str(BUILD)))
    return project


def single_binary_config(binary, filters=""):
    return f"""
[offload]
max_parallel = 3
test_timeout_secs = 60

[provider]
type = "local"

[framework]
type = "gtest"
binaries = ["{binary}"]

[groups.all]
filters = "{filters}"
"""


def offload_verdicts(project):
    return {test_id: verdict(tc) for test_id, tc in junit_cases(project).items()}


def test_run_gives_each_test_the_binarys_own_verdict(tmp_path):
    (tmp_path / "offload.toml").write_text(single_binary_config(CALCULATOR))
    expected = gtest_verdicts(CALCULATOR, tmp_path)
    assert set(expected.values()) == {"passed", "failed", "skipped"}
    assert "Widening/2.KeepsSmallValues" in expected and "Small/Parity.DoublingIsEven/2" in expected
    res = run_offload(["run"], tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    got = offload_verdicts(tmp_path)
    assert got == expected
    assert "not-run" not in got.values()
    failure = junit_cases(tmp_path)["Arithmetic.FailsOnPurpose"].find("failure")
    assert "this test fails on purpose" in failure.get("message")
    assert_valid_surefire(tmp_path / "test-results" / "junit.xml", tmp_path)


def test_collect_lists_every_test_including_typed_and_parametrized(tmp_path):
    (tmp_path / "offload.toml").write_text(single_binary_config(CALCULATOR))
    res = run_offload(["collect", "-f", "json"], tmp_path)
    assert res.returncode == 0, res.stderr
    records = json.loads(res.stdout)
    ids = [record["id"] for record in records]
    assert sorted(ids) == sorted(gtest_verdicts(CALCULATOR, tmp_path))
    assert {record["file"] for record in records} == {str(CALCULATOR)}
    assert "Arithmetic.DISABLED_NotReadyYet" in ids  # reported as gtest's XML does: not run


def test_filters_are_gtest_patterns(tmp_path):
    (tmp_path / "offload.toml").write_text(single_binary_config(CALCULATOR, "Arithmetic.* -*Fail*:*Skip*"))
    res = run_offload(["collect", "-f", "json"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert {r["id"] for r in json.loads(res.stdout)} == {
        "Arithmetic.AddsSmallNumbers", "Arithmetic.DividesExactly", "Arithmetic.RejectsZeroDivisor",
        "Arithmetic.DISABLED_NotReadyYet"}


def test_several_binaries_get_prefixed_ids(gtest_example, tmp_path):
    expected = {**gtest_verdicts(CALCULATOR, tmp_path, "calculator_test "),
                **gtest_verdicts(STRINGS, tmp_path, "strings_test ")}
    assert "calculator_test Arithmetic.AddsSmallNumbers" in expected
    assert "strings_test Arithmetic.AddsSmallNumbers" in expected
    res = run_offload(["run"], gtest_example)
    assert res.returncode == 1, res.stdout + res.stderr
    got = offload_verdicts(gtest_example)
    assert got == expected
    # A batch that holds tests of both binaries runs each binary once.
    logs = gtest_example / "test-results" / "logs"
    commands = [json.loads(line.split("command: ", 1)[1])["shell"]
                for log in logs.iterdir() for line in log.read_text().splitlines()
                if line.startswith("[offload] command: ")]
    assert any(str(CALCULATOR) in c and str(STRINGS) in c for c in commands), commands
    for command in commands:
        assert command.count(str(CALCULATOR) + " ") <= 1 and command.count(str(STRINGS) + " ") <= 1


def test_a_glob_matching_nothing_is_a_clear_error(tmp_path):
    (tmp_path / "offload.toml").write_text(single_binary_config("build/*_test"))
    assert run_offload(["validate"], tmp_path).returncode == 0
    res = run_offload(["run"], tmp_path)
    assert res.returncode == 1
    assert "binaries: 'build/*_test' matches no executable file" in res.stderr


def test_init_template_validates_and_runs_once_the_binaries_exist(tmp_path):
    res = run_offload(["init", "-f", "gtest"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert run_offload(["validate"], tmp_path).returncode == 0
    res = run_offload(["run"], tmp_path)
    assert res.returncode == 1
    assert "binaries: 'build/*_test' matches no executable file" in res.stderr
    (tmp_path / "build").mkdir()
    shutil.copy(STRINGS, tmp_path / "build" / "strings_test")
    res = run_offload(["run"], tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert offload_verdicts(tmp_path) == gtest_verdicts(STRINGS, tmp_path)


def test_misspelled_option_gets_line_and_suggestion(gtest_example):
    config = gtest_example / "offload.toml"
    text = config.read_text().replace("binaries =", "binarys =")
    config.write_text(text)
    line = [i for i, l in enumerate(text.splitlines(), 1) if l.startswith("binarys")][0]
    res = run_offload(["validate"], gtest_example)
    assert res.returncode == 1
    assert f"offload.toml:{line}:" in res.stderr
    assert "did you mean 'binaries'" in res.stderr
