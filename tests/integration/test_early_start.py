# SPDX-License-Identifier: MIT
"""A run starts on the last run's test list while discovery runs, then
takes discovery's answer: dropped tests leave no trace, new ones run, and a
failed discovery fails the run without touching the last report."""
import os

import pytest

from conftest import junit_cases, run_offload, scripted_config, set_config, verdict

pytestmark = pytest.mark.plugins("provider_local", "framework_default")

# Discovery that can be made to wait for an early batch, to fail, or to hide
# tests, without changing the config (which would rule out an early start).
DISCOVER = """\
if [ -n "$WAIT_FOR" ]; then
  i=0
  while [ ! -e "$WAIT_FOR" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
fi
if [ -e BROKEN ]; then echo "collection error in tests/add_1.sh" >&2; exit 3; fi
/usr/bin/python3 runner.py list "$1" | grep -v -x -f hidden.txt
exit 0
"""


def early_start_project(scripted, filters="'^(add_1|add_2|doomed|lingers|late)$'"):
    (scripted / "discover.sh").write_text(DISCOVER)
    (scripted / "hidden.txt").write_text("late\n")
    (scripted / "tests" / "doomed.sh").write_text("mkdir -p .state; touch .state/doomed-ran; exit 1\n")
    (scripted / "tests" / "lingers.sh").write_text(
        "if [ -e .state/linger ]; then touch .state/lingering; sleep 60; fi\nexit 0\n")
    (scripted / "tests" / "late.sh").write_text("exit 0\n")
    config = scripted_config(filters=filters, parallel=5).replace(
        'discover_command = "/usr/bin/python3 runner.py list {filters}"',
        'discover_command = "/bin/sh discover.sh {filters}"')
    set_config(scripted, config)


def test_early_batches_count_only_for_tests_discovery_still_lists(scripted):
    early_start_project(scripted)
    first = run_offload(["run", "-v"], scripted)
    assert first.returncode == 1, first.stdout + first.stderr  # doomed fails
    assert "started on the last run's" not in first.stderr

    # Discovery now drops doomed (which fails at once) and lingers (which
    # hangs), lists late, and answers only after doomed has failed.
    (scripted / "hidden.txt").write_text("doomed\nlingers\n")
    (scripted / ".state").mkdir(exist_ok=True)
    (scripted / ".state" / "linger").touch()
    os.remove(scripted / ".state" / "doomed-ran")
    second = run_offload(["run", "-v"], scripted, env={"WAIT_FOR": ".state/doomed-ran"})
    assert second.returncode == 0, second.stdout + second.stderr
    assert "started on the last run's 4 tests while discovery ran; it dropped 2 of them" in second.stderr
    assert (scripted / ".state" / "doomed-ran").exists()  # it did run early
    cases = junit_cases(scripted)
    assert sorted(cases) == ["add_1", "add_2", "late"]
    assert all(verdict(tc) == "passed" for tc in cases.values())
    assert "Passed:    3" in second.stdout and "Failed:    0" in second.stdout
    # The batch of nothing but a dropped test was stopped, not waited for.
    logs = os.listdir(scripted / "test-results" / "logs")
    cancelled = [l for l in logs if l.endswith(".cancelled")]
    assert cancelled, logs
    assert "lingers" in (scripted / "test-results" / "logs" / cancelled[0]).read_text()

    # The next run starts on the list this one found.
    os.remove(scripted / ".state" / "linger")
    third = run_offload(["run", "-v"], scripted)
    assert third.returncode == 0, third.stdout + third.stderr
    assert "started on the last run's 3 tests while discovery ran; it dropped 0 of them" in third.stderr


def test_changed_discovery_settings_wait_for_discovery(scripted):
    early_start_project(scripted)
    assert run_offload(["run"], scripted).returncode == 1
    early_start_project(scripted, filters="'^(add_1|add_2)$'")
    res = run_offload(["run", "-v"], scripted)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "started on the last run's" not in res.stderr
    assert sorted(junit_cases(scripted)) == ["add_1", "add_2"]


def test_start_before_discovery_can_be_turned_off(scripted):
    early_start_project(scripted)
    assert run_offload(["run"], scripted).returncode == 1
    config = (scripted / "offload.toml").read_text()
    set_config(scripted, config.replace("[offload]", "[offload]\nstart_before_discovery = false", 1))
    res = run_offload(["run", "-v"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "started on the last run's" not in res.stderr
    assert "scheduled with recorded durations for 4 of 4 tests" in res.stderr


def test_failed_discovery_after_an_early_start_fails_and_keeps_the_last_report(scripted):
    early_start_project(scripted)
    (scripted / "hidden.txt").write_text("doomed\n")
    first = run_offload(["run"], scripted)
    assert first.returncode == 0, first.stdout + first.stderr
    report = (scripted / "test-results" / "junit.xml").read_bytes()
    history = (scripted / "test-results" / "offload-history.json").read_bytes()

    (scripted / "BROKEN").touch()
    res = run_offload(["run"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr
    errors = [l for l in res.stderr.splitlines() if "error" in l]
    assert len(errors) == 1 and "collection error in tests/add_1.sh" in errors[0], res.stderr
    assert (scripted / "test-results" / "junit.xml").read_bytes() == report
    assert (scripted / "test-results" / "offload-history.json").read_bytes() == history
