# SPDX-License-Identifier: MIT
"""examples/scripted/worker.py, the default framework's example worker, over pipes."""
from worker_client import Worker

PYTHON = "/usr/bin/python3"


def test_the_scripted_example_worker_speaks_the_protocol(scripted):
    worker = Worker([PYTHON, "worker.py"], scripted)
    ready = worker.next_event()
    assert ready["event"] == "ready" and ready["protocol"] == 1
    assert "add_1" in ready["collected"] and "broken" in ready["collected"]
    worker.run("add_1", "broken", "no_such_test")
    worker.run("skipped", "flaky", "flaky")
    worker.stop()
    passed = worker.result("add_1")
    assert (passed["outcome"], passed["stdout"]) == ("passed", "arithmetic 1\n")
    broken = worker.result("broken")
    assert (broken["outcome"], broken["message"]) == ("failed", "exit status 1")
    assert broken["stderr"] == "expected 4, got 5\n"
    assert worker.outcomes("no_such_test", "skipped", "flaky", "flaky") == [
        "not_found", "skipped", "failed", "passed"]
    assert worker.finish() == 0


def test_the_scripted_example_worker_ends_at_end_of_input(scripted):
    worker = Worker([PYTHON, "worker.py"], scripted)
    assert worker.next_event()["event"] == "ready"
    worker.run("add_2")
    worker.proc.stdin.close()
    assert worker.outcomes("add_2") == ["passed"]
    assert worker.finish() == 0
