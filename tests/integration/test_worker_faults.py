# SPDX-License-Identifier: MIT
"""Persistent pytest workers against what tests do to them: hang, kill their
process, share module and class fixtures, print. Real pytest, real offload."""
import os
import signal
import subprocess
import textwrap
import time

import pytest

from conftest import OFFLOAD, junit_cases, run_offload, set_config, verdict

pytestmark = pytest.mark.plugins("provider_local", "framework_pytest")

PYTHON = "/usr/bin/python3"


def project_with(tmp_path, files, parallel=1, extra="", per_test_timeout=3, fork=False):
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    for name, body in files.items():
        (project / "tests" / name).write_text(textwrap.dedent(body))
    set_config(project, f"""
[offload]
max_parallel = {parallel}
test_timeout_secs = 120
per_test_timeout_secs = {per_test_timeout}
persistent_workers = true
{extra}

[provider]
type = "local"

[framework]
type = "pytest"
python = "{PYTHON}"
paths = ["tests"]
run_args = ["-p", "no:cacheprovider"]
fork_workers = {str(fork).lower()}

[groups.all]
retry_count = 0
""")
    return project


def worker_logs(project):
    return sorted(p.name for p in (project / "test-results" / "logs").iterdir())


def text_of(tc):
    return " ".join((child.get("message") or "") + (child.text or "") for child in tc)


def test_a_hanging_test_is_timed_out_alone_and_the_rest_of_the_queue_runs(tmp_path):
    project = project_with(tmp_path, {"test_hang.py": """
        import time
        def test_before(): pass
        def test_hangs(): time.sleep(600)
        def test_after_1(): pass
        def test_after_2(): pass
    """})
    res = run_offload(["run"], project, timeout=90)
    assert res.returncode == 1, res.stdout + res.stderr
    cases = junit_cases(project)
    assert {t: verdict(tc) for t, tc in cases.items()} == {
        "tests/test_hang.py::test_before": "passed",
        "tests/test_hang.py::test_hangs": "failed",
        "tests/test_hang.py::test_after_1": "passed",
        "tests/test_hang.py::test_after_2": "passed",
    }
    hung = cases["tests/test_hang.py::test_hangs"]
    assert "per_test_timeout_secs" in text_of(hung), text_of(hung)
    # The worker that ran the hang was killed and a new one ran the rest.
    assert len([name for name in worker_logs(project) if name.startswith("worker-0-")]) == 2, worker_logs(project)


# A module fixture around a test that hangs and, when interrupted, says all is
# well: a worker that is killed must still tear down what it set up, and its
# last words must not turn the hang into a pass.
SWALLOWS_THE_INTERRUPT = """
    import time, pytest
    EVENTS = {events!r}
    def note(what):
        with open(EVENTS, "a") as out:
            out.write(what + "\\n")
    @pytest.fixture(scope="module")
    def server():
        note("up")
        yield
        note("down")
    def test_hangs(server):
        try:
            time.sleep(600)
        except KeyboardInterrupt:
            note("interrupted")
"""


@pytest.mark.parametrize("fork", [False, True], ids=["own-interpreter", "forked"])
def test_a_timed_out_worker_tears_its_fixtures_down_and_the_hang_stays_timed_out(tmp_path, fork):
    events = tmp_path / "events.txt"
    project = project_with(tmp_path, {"test_hang.py": SWALLOWS_THE_INTERRUPT.format(events=str(events))}, fork=fork)
    res = run_offload(["run"], project, timeout=90)
    assert res.returncode == 1, res.stdout + res.stderr
    hung = junit_cases(project)["tests/test_hang.py::test_hangs"]
    assert verdict(hung) == "failed", res.stdout + res.stderr
    assert "per_test_timeout_secs" in text_of(hung), text_of(hung)
    assert events.read_text().splitlines() == ["up", "interrupted", "down"]


@pytest.mark.parametrize("fork", [False, True], ids=["own-interpreter", "forked"])
def test_ctrl_c_lets_a_running_worker_tear_its_fixtures_down(tmp_path, fork):
    events = tmp_path / "events.txt"
    project = project_with(tmp_path, {"test_hang.py": SWALLOWS_THE_INTERRUPT.format(events=str(events))},
                           per_test_timeout=300, fork=fork)
    env = dict(os.environ)
    env.pop("CI", None)
    proc = subprocess.Popen([str(OFFLOAD), "run"], cwd=project, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (events.exists() and events.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        assert events.exists() and events.read_text() == "up\n", "the test never started"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 130, out + err
    assert events.read_text().splitlines() == ["up", "interrupted", "down"], out + err
    assert verdict(junit_cases(project)["tests/test_hang.py::test_hangs"]) == "not-run"


def test_a_test_that_kills_its_worker_is_crashed_and_the_worker_comes_back(tmp_path):
    project = project_with(tmp_path, {"test_crash.py": """
        import os, signal
        def test_first(): pass
        def test_kills_worker(): os.kill(os.getpid(), signal.SIGKILL)
        def test_second(): pass
        def test_third(): pass
    """})
    res = run_offload(["run"], project, timeout=90)
    assert res.returncode == 1, res.stdout + res.stderr
    cases = junit_cases(project)
    verdicts = {t: verdict(tc) for t, tc in cases.items()}
    assert verdicts == {
        "tests/test_crash.py::test_first": "passed",
        "tests/test_crash.py::test_kills_worker": "failed",
        "tests/test_crash.py::test_second": "passed",
        "tests/test_crash.py::test_third": "passed",
    }
    assert "crash" in text_of(cases["tests/test_crash.py::test_kills_worker"]).lower()
    # The suspect ran a second time alone, in a fresh worker, before it was judged.
    assert len(worker_logs(project)) >= 3, worker_logs(project)


@pytest.mark.parametrize("fork", [False, True], ids=["own-interpreter", "forked"])
def test_module_and_class_fixtures_are_set_up_once_per_worker_and_torn_down(tmp_path, fork):
    events = tmp_path / "events.txt"
    body = f"""
        import os, pytest
        EVENTS = {str(events)!r}
        def note(what):
            with open(EVENTS, "a") as out:
                out.write("%d %s\\n" % (os.getpid(), what))
        @pytest.fixture(scope="module")
        def module_resource():
            note("setup module " + __name__)
            yield
            note("teardown module " + __name__)
        class TestGroup:
            @pytest.fixture(scope="class")
            def class_resource(self):
                note("setup class " + __name__)
                yield
                note("teardown class " + __name__)
            def test_one(self, module_resource, class_resource): pass
            def test_two(self, module_resource, class_resource): pass
            def test_three(self, module_resource, class_resource): pass
        def test_plain_a(module_resource): pass
        def test_plain_b(module_resource): pass
    """
    project = project_with(tmp_path, {"test_mod_a.py": body, "test_mod_b.py": body}, parallel=2,
                           per_test_timeout=60, fork=fork)
    res = run_offload(["run"], project, timeout=90)
    assert res.returncode == 0, res.stdout + res.stderr
    assert len(junit_cases(project)) == 10
    said = res.stdout + res.stderr
    lines = [line.split(" ", 1) for line in events.read_text().splitlines()]
    # Per worker process and module: set up once, torn down once, in order
    # (a sandbox that steals the back half of a file sets it up again).
    runs = {}
    for pid, what in lines:
        runs.setdefault((pid, what.rsplit(" ", 1)[1]), []).append(what.rsplit(" ", 1)[0])
    assert {module for _, module in runs} == {"test_mod_a", "test_mod_b"}, lines
    for key, seen in runs.items():
        if "setup class" in seen:
            assert seen == ["setup module", "setup class", "teardown class", "teardown module"], (key, lines, said)
        else:
            assert seen == ["setup module", "teardown module"], (key, lines, said)


def test_a_passing_tests_print_shows_in_offload_logs(tmp_path):
    project = project_with(tmp_path, {"test_print.py": """
        import sys
        def test_talks():
            print("hello from a passing test")
            sys.stderr.write("and a word on stderr\\n")
        def test_quiet(): pass
    """})
    res = run_offload(["run"], project, timeout=90)
    assert res.returncode == 0, res.stdout + res.stderr
    logs = run_offload(["logs", "--test", "tests/test_print.py::test_talks"], project)
    assert logs.returncode == 0, logs.stdout + logs.stderr
    assert "hello from a passing test" in logs.stdout
    assert "and a word on stderr" in logs.stdout
    quiet = run_offload(["logs", "--test", "tests/test_print.py::test_quiet"], project)
    assert "hello from a passing test" not in quiet.stdout
    # The same text is the testcase's system-out in junit.xml.
    talks = junit_cases(project)["tests/test_print.py::test_talks"]
    assert "hello from a passing test" in (talks.findtext("system-out") or "")


@pytest.mark.plugins("provider_local", "framework_default")
def test_a_worker_of_an_unknown_protocol_version_is_refused_with_the_reason(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "worker.py").write_text(textwrap.dedent("""
        import json, sys
        print("@offload " + json.dumps({"event": "ready", "protocol": 2, "collected": [], "errors": []}), flush=True)
        for line in sys.stdin:
            pass
    """))
    set_config(project, f"""
[offload]
max_parallel = 1
test_timeout_secs = 30

[provider]
type = "local"

[framework]
type = "default"
discover_command = "printf 'one\\\\ntwo\\\\n'"
run_command = "/bin/false {{result_file}} {{tests}}"
worker_command = "{PYTHON} worker.py"

[groups.all]
retry_count = 0
""")
    res = run_offload(["run"], project, timeout=60)
    assert res.returncode != 0, res.stdout + res.stderr
    assert "protocol version 2; offload speaks 1" in res.stderr, res.stderr
    cases = junit_cases(project)
    assert {t: verdict(tc) for t, tc in cases.items()} == {"one": "not-run", "two": "not-run"}
