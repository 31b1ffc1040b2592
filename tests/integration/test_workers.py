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
    # Each sandbox ran one worker (more only when one was restarted), and no batch command ran.
    logs = os.listdir(workers / "test-results" / "logs")
    assert logs and all(name.startswith("worker-") for name in logs), logs
    assert not any(name.endswith(".running") for name in logs), logs
