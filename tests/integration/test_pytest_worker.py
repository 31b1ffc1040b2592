# SPDX-License-Identifier: MIT
"""The bundled pytest worker alone: a real worker process on a real pytest
project (data/worker_project), driven over pipes with the worker protocol."""
import os
import shutil
import signal
import subprocess

import pytest

from conftest import BUILD, SOURCE
from worker_client import Worker

pytestmark = pytest.mark.plugins("framework_pytest")

PYTHON = "/usr/bin/python3"
WORKER = BUILD / "bundled" / "offload_pytest_worker.py"


def pytest_worker(project, args=(), cwd=None, hint=None):
    """The bundled worker on `project`; its fixtures write to project/worker.log."""
    log = project / "worker.log"
    command = [PYTHON, str(WORKER)]
    if hint is not None:
        hint_file = project / "worker.hint"
        hint_file.write_text("".join(i + "\n" for i in hint))
        command.append(f"--hint={hint_file}")
    command += ["--", "-p", "no:cacheprovider", *args]
    env = dict(os.environ, WORKER_LOG=str(log))
    return Worker(command, cwd or project, env=env, stderr_path=project / "worker.stderr", log=log)


@pytest.fixture
def project(tmp_path):
    dest = tmp_path / "worker_project"
    shutil.copytree(SOURCE / "tests" / "integration" / "data" / "worker_project", dest,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.fixture
def start(project):
    workers = []

    def start_worker(**kw):
        worker = pytest_worker(project, **kw)
        workers.append(worker)
        return worker

    yield start_worker
    for worker in workers:
        worker.kill()


def collected_ids(project, *args):
    res = subprocess.run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", *args],
                         cwd=project, capture_output=True, text=True, timeout=120)
    return [line for line in res.stdout.splitlines() if "::" in line]


F = "tests/test_fixtures.py::"
M = "tests/test_misc.py::"


def test_module_and_class_fixtures_set_up_once_and_torn_down_at_the_right_point(start):
    worker = start()
    assert worker.ready()["collected"] == collected_ids(worker.log.parent)
    worker.run(F + "test_a", F + "test_b")
    assert worker.result(F + "test_a")["outcome"] == "passed"
    # test_b is the last known test: the worker waits to learn what follows it.
    assert worker.quiet_for(1.0)
    assert "module-teardown test_fixtures" not in worker.notes()

    # Each step below leaves the worker waiting on its last test, so the log is
    # read while nothing runs.
    worker.run(F + "TestK::test_c", F + "TestK::test_d")
    assert worker.outcomes(F + "test_b", F + "TestK::test_c") == ["passed"] * 2
    assert worker.notes()[-1] == "run test_c"
    worker.run(F + "test_e")
    assert worker.result(F + "TestK::test_d")["outcome"] == "passed"
    assert worker.notes()[-1] == "class-teardown TestK"  # test_e, next, does not use it
    worker.run("tests/test_other.py::test_x")
    assert worker.result(F + "test_e")["outcome"] == "passed"
    assert worker.notes()[-1] == "module-teardown test_fixtures"  # test_x is in another module
    worker.stop()
    assert worker.result("tests/test_other.py::test_x")["outcome"] == "passed"
    assert worker.finish() == 0
    assert worker.notes() == [
        "session-setup", "module-setup test_fixtures", "run test_a", "run test_b",
        "class-setup TestK", "run test_c", "run test_d", "class-teardown TestK", "run test_e",
        "module-teardown test_fixtures", "module-setup test_other", "run test_x", "module-teardown test_other",
        "session-teardown"]


def test_a_failure_does_not_stop_the_worker_and_a_retry_runs_again(start):
    worker = start()
    worker.ready()
    worker.run(M + "test_fails", M + "test_fails_once", M + "test_fails_once", M + "test_quiet")
    worker.stop()
    failed = worker.result(M + "test_fails")
    assert failed["outcome"] == "failed"
    assert failed["message"] == "AssertionError: arithmetic is broken"
    assert "assert (1 + 1) == 3" in failed["details"]
    assert worker.outcomes(M + "test_fails_once", M + "test_fails_once", M + "test_quiet") == [
        "failed", "passed", "passed"]
    assert worker.finish() == 0
    # The retry set its function-scoped fixture up again, and tore it down again.
    assert [n for n in worker.notes() if "fails_once" in n] == [
        "function-setup test_fails_once", "run test_fails_once", "function-teardown test_fails_once",
        "function-setup test_fails_once", "run test_fails_once", "function-teardown test_fails_once"]


def test_unknown_ids_are_not_found_and_the_worker_goes_on(start):
    worker = start()
    worker.ready()
    worker.run(F + "test_nope", "tests/test_missing.py::test_x", M + "test_quiet", M + "test_quiet[1]")
    worker.stop()
    assert worker.outcomes(F + "test_nope", "tests/test_missing.py::test_x", M + "test_quiet",
                           M + "test_quiet[1]") == ["not_found", "not_found", "passed", "not_found"]
    assert worker.finish() == 0


def test_a_passing_test_output_arrives_in_its_result_and_only_there(start):
    worker = start()
    worker.ready()
    worker.run(M + "test_quiet", M + "test_prints", M + "test_quiet")
    worker.stop()
    before, printed, after = (worker.result(M + t) for t in ("test_quiet", "test_prints", "test_quiet"))
    assert printed["outcome"] == "passed"
    assert printed["stdout"] == "hello from test_prints\n"
    assert printed["stderr"] == "to stderr from test_prints\n"
    assert "logged by test_prints" in printed["log"]
    for quiet in (before, after):
        assert (quiet["stdout"], quiet["stderr"], quiet["log"]) == ("", "", "")
    assert worker.finish() == 0
    # Nothing but events reached the real stdout.
    assert worker.other_lines == []


def test_setup_and_teardown_failures_are_errors(start):
    worker = start()
    worker.ready()
    worker.run(M + "test_setup_error", M + "test_teardown_error", M + "test_quiet")
    worker.stop()
    setup = worker.result(M + "test_setup_error")
    assert setup["outcome"] == "error"
    assert setup["message"] == "RuntimeError: the fixture could not be set up"
    assert "run test_setup_error" not in worker.notes()
    teardown = worker.result(M + "test_teardown_error")
    assert teardown["outcome"] == "error"
    assert "could not be torn down" in teardown["message"]
    assert worker.outcomes(M + "test_quiet") == ["passed"]
    assert worker.finish() == 0


def test_a_test_that_exits_kills_the_worker_after_its_start(start):
    worker = start()
    worker.ready()
    worker.run(M + "test_quiet", M + "test_exits", M + "test_quiet")
    assert worker.result(M + "test_quiet")["outcome"] == "passed"
    assert worker.next_event() == {"event": "start", "id": M + "test_exits"}
    assert worker.finish() == 3  # no result: the host knows which test it was


def test_sigterm_ends_a_hanging_test_with_its_teardown_and_nothing_after_it(start):
    worker = start()
    worker.ready()
    worker.run(M + "test_hangs", M + "test_quiet")
    worker.stop()
    assert worker.next_event() == {"event": "start", "id": M + "test_hangs"}
    assert worker.quiet_for(0.5)
    worker.proc.send_signal(signal.SIGTERM)
    # finish() also checks that no result followed: neither for the killed
    # test nor for the one queued behind it.
    assert worker.finish(timeout=30) == pytest.ExitCode.INTERRUPTED
    assert worker.notes() == [
        "function-setup test_hangs", "run test_hangs", "function-teardown test_hangs"]


def test_stop_and_end_of_input_both_end_the_worker_with_status_0(start):
    stopped = start()
    stopped.ready()
    stopped.stop()
    assert stopped.finish() == 0

    closed = start()
    closed.ready()
    closed.run(M + "test_fails", F + "test_a")
    closed.proc.stdin.close()
    assert closed.outcomes(M + "test_fails", F + "test_a") == ["failed", "passed"]
    assert closed.finish() == 0
    assert closed.notes()[-2:] == ["module-teardown test_fixtures", "session-teardown"]


def test_a_bad_request_line_is_named_and_ends_the_worker_after_its_queue(start):
    worker = start()
    worker.ready()
    worker.run(M + "test_quiet")
    worker.proc.stdin.write(b'{"op": "jump"}\n')
    worker.proc.stdin.flush()
    assert worker.outcomes(M + "test_quiet") == ["passed"]
    assert worker.finish() == 2
    assert 'offload worker: request line 2 has op "jump"; expected "run", "collect" or "stop"' in worker.stderr()


def test_a_hint_collects_only_its_files_and_other_files_come_on_demand(start, project, tmp_path):
    # Run from elsewhere with an absolute path: node IDs stay relative to the project (its rootdir).
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    worker = start(args=[str(project / "tests")], cwd=elsewhere, hint=[F + "test_a"])
    ready = worker.ready()
    assert ready["collected"] == [i for i in collected_ids(project) if i.startswith(F)]
    worker.run(F + "test_a", "tests/test_other.py::test_x", "tests/test_other.py::test_nope")
    worker.stop()
    assert worker.outcomes(F + "test_a", "tests/test_other.py::test_x", "tests/test_other.py::test_nope") == [
        "passed", "passed", "not_found"]
    assert worker.finish() == 0


def test_a_file_that_cannot_be_collected_is_an_error_for_its_tests(start, project):
    (project / "tests" / "test_broken_import.py").write_text("import no_such_module_anywhere\n\ndef test_y():\n"
                                                             "    pass\n")
    worker = start()
    ready = worker.ready()
    assert len(ready["errors"]) == 1
    assert ready["errors"][0].startswith("ERROR collecting tests/test_broken_import.py: ")
    assert "No module named 'no_such_module_anywhere'" in ready["errors"][0]
    worker.run("tests/test_broken_import.py::test_y", M + "test_quiet")
    worker.stop()
    broken = worker.result("tests/test_broken_import.py::test_y")
    assert broken["outcome"] == "error" and "no_such_module_anywhere" in broken["message"]
    assert worker.outcomes(M + "test_quiet") == ["passed"]
    assert worker.finish() == 0


def junit_names(project, *args):
    """(classname, name) per testcase of a plain pytest run's own JUnit."""
    import xml.etree.ElementTree as ET
    report = project / "plain.xml"
    subprocess.run([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={report}", *args], cwd=project,
                   capture_output=True, timeout=120)
    return {(c.get("classname"), c.get("name")) for c in ET.parse(report).iter("testcase")}


def test_every_file_collected_is_reported_once_with_its_tests_as_collect_only_lists_them(start, project):
    worker = start()
    ready = worker.ready()
    ids = collected_ids(project)
    files = sorted({i.split("::")[0] for i in ids})
    assert [c["file"] for c in worker.collected] == files
    for report in worker.collected:
        assert [t["id"] for t in report["tests"]] == [i for i in ids if i.startswith(report["file"] + "::")]
        assert "error" not in report
    assert ready["collected"] == ids
    # Named as pytest's own JUnit names them.
    two = ("tests/test_fixtures.py", "tests/test_other.py")
    names = {(t["classname"], t["name"]) for c in worker.collected if c["file"] in two for t in c["tests"]}
    assert names == junit_names(project, *two)
    assert ("tests.test_fixtures.TestK", "test_c") in names
    worker.stop()
    assert worker.finish() == 0


def test_a_collect_request_is_served_while_the_worker_waits_for_its_look_ahead(start):
    worker = start(hint=[F + "test_a"])
    worker.ready()
    assert [c["file"] for c in worker.collected] == ["tests/test_fixtures.py"]
    worker.run(F + "test_a")
    # One test queued: the worker waits to learn what follows it, and still
    # collects what it is asked to.
    worker.collect("tests/test_other.py", "tests/test_nowhere.py")
    other = worker.collected_file("tests/test_other.py")
    assert [t["id"] for t in other["tests"]] == ["tests/test_other.py::test_x"]
    assert worker.collected_file("tests/test_nowhere.py")["tests"] == []
    assert worker.quiet_for(0.5)  # test_a has not run: its next test is still unknown
    worker.run("tests/test_other.py::test_x")
    worker.stop()
    assert worker.outcomes(F + "test_a", "tests/test_other.py::test_x") == ["passed", "passed"]
    assert worker.finish() == 0
    # Each file reported once, though test_x's file was asked for and then run.
    assert [c["file"] for c in worker.collected] == [
        "tests/test_fixtures.py", "tests/test_other.py", "tests/test_nowhere.py"]


def test_a_file_collected_for_a_requested_test_is_reported_before_the_test_starts(start):
    worker = start(hint=[F + "test_a"])
    worker.ready()
    worker.run(M + "test_quiet")
    worker.stop()
    assert worker.outcomes(M + "test_quiet") == ["passed"]
    assert worker.finish() == 0
    assert worker.sequence.index(("collected", "tests/test_misc.py")) < worker.sequence.index(
        ("start", M + "test_quiet"))


def test_a_file_that_cannot_be_collected_is_reported_with_its_error(start, project):
    (project / "tests" / "test_broken_import.py").write_text("import no_such_module_anywhere\n")
    worker = start(hint=[F + "test_a"])
    worker.ready()
    worker.collect("tests/test_broken_import.py")
    broken = worker.collected_file("tests/test_broken_import.py")
    assert broken["tests"] == []
    assert broken["error"].startswith("ERROR collecting tests/test_broken_import.py")
    worker.stop()
    assert worker.finish() == 0
