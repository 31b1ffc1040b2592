# SPDX-License-Identifier: MIT
"""offload run with persistent workers (persistent_workers = true) on a real pytest project."""
import os

import pytest

from conftest import junit_cases, run_offload, set_config, verdict
from test_pytest import config, copy_example

pytestmark = pytest.mark.plugins("provider_local", "framework_pytest")

# The whole example: doctests, a module that skips at import, fixture errors.
FRAMEWORK = 'pytest_args = ["--doctest-modules"]'


def verdicts(project):
    return {test_id: verdict(tc) for test_id, tc in junit_cases(project).items()}


def test_a_worker_run_gives_the_verdicts_of_a_batch_run(tmp_path):
    batches = copy_example(tmp_path / "batches")
    workers = copy_example(tmp_path / "workers")
    set_config(batches, config("[groups.all]\nretry_count = 2", framework=FRAMEWORK, parallel=2, workers=False))
    set_config(workers, config("[groups.all]\nretry_count = 2", framework=FRAMEWORK, parallel=2, workers=True))
    by_batches = run_offload(["run"], batches)
    by_workers = run_offload(["run"], workers)
    assert by_workers.returncode == by_batches.returncode == 1, by_workers.stdout + by_workers.stderr
    expected = verdicts(batches)
    assert len(expected) > 10
    assert verdicts(workers) == expected
    # Discovery listed the files only; the workers' collection named the tests.
    assert "found 9 test files; the workers collect their tests" in by_workers.stderr
    assert "found %d tests" % len(expected) in by_batches.stderr
    # Warm: the run starts on the last list while discovery lists the files.
    again = run_offload(["run"], workers)
    assert again.returncode == 1, again.stdout + again.stderr
    warm = verdicts(workers)
    # test_flaky fails once per copy of the project: in the second run it passes.
    assert warm.pop("tests/test_outcomes.py::test_flaky") == "passed"
    assert warm == {i: v for i, v in expected.items() if i != "tests/test_outcomes.py::test_flaky"}
    # Each sandbox ran one worker (more only when one was restarted), and no batch command ran.
    logs = os.listdir(workers / "test-results" / "logs")
    assert logs and all(name.startswith("worker-") for name in logs), logs
    assert not any(name.endswith(".running") for name in logs), logs


def test_worker_discovery_follows_the_files_as_they_change_between_runs(tmp_path):
    project = copy_example(tmp_path / "p")
    set_config(project, config("[groups.all]\nretry_count = 0", parallel=2, workers=True))
    first = run_offload(["run"], project)
    assert "the workers collect their tests" in first.stderr, first.stderr
    before = verdicts(project)
    assert "tests/test_basics.py::test_sorted" in before
    # Between runs: a test removed from a file, a file added, a file removed.
    basics = project / "tests" / "test_basics.py"
    basics.write_text(basics.read_text().replace("def test_sorted(", "def _not_a_test_any_more("))
    (project / "tests" / "test_added.py").write_text("def test_new_one():\n    pass\n\ndef test_new_two():\n    assert False\n")
    (project / "tests" / "sub" / "test_nested.py").unlink()
    second = run_offload(["run"], project)
    assert second.returncode == 1, second.stdout + second.stderr
    after = verdicts(project)
    assert "tests/test_basics.py::test_sorted" not in after
    assert after["tests/test_added.py::test_new_one"] == "passed"
    assert after["tests/test_added.py::test_new_two"] == "failed"
    assert not any(i.startswith("tests/sub/test_nested.py") for i in after)
    expected = {i: v for i, v in before.items() if i != "tests/test_basics.py::test_sorted"
                and not i.startswith("tests/sub/test_nested.py")}
    expected.update({"tests/test_added.py::test_new_one": "passed", "tests/test_added.py::test_new_two": "failed"})
    # test_flaky fails once per copy of the project: in the second run it passes.
    assert (expected.pop("tests/test_outcomes.py::test_flaky"), after.pop("tests/test_outcomes.py::test_flaky")) == (
        "failed", "passed")
    assert after == expected


def test_worker_discovery_fails_the_run_on_a_file_that_cannot_be_collected(tmp_path):
    project = copy_example(tmp_path / "p")
    set_config(project, config("[groups.all]\nretry_count = 0", parallel=2, workers=True))
    (project / "tests" / "test_broken.py").write_text("import no_such_module_anywhere\n\ndef test_y():\n    pass\n")
    res = run_offload(["run"], project)
    assert res.returncode != 0
    errors = [line for line in res.stderr.splitlines() if "error" in line.lower()]
    assert any("ERROR collecting tests/test_broken.py" in line and "no_such_module_anywhere" in line
               for line in errors), res.stderr
    assert not (project / "test-results" / "junit.xml").exists()
