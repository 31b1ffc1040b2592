# SPDX-License-Identifier: MIT
"""What offload run prints while it runs: -v's verdict line per test, and the progress line on a terminal."""
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time

import pytest

from conftest import OFFLOAD, junit_cases, run_offload, set_config, verdict
from test_pytest import config, copy_example
from test_workers import FRAMEWORK

pytestmark = pytest.mark.plugins("provider_local", "framework_pytest")

VERDICT_LINE = re.compile(r"^(PASSED|FAILED|FLAKY|SKIPPED|NOT RUN|RETRY) +(.+?)(?:  \d+\.\d\ds)?  sandbox (\d+)"
                          r"(?:  \((.*)\))?$")
WORDS = {"PASSED": "passed", "FAILED": "failed", "FLAKY": "flaky", "SKIPPED": "skipped", "NOT RUN": "not-run"}


def verdict_lines(stdout):
    """[(word, test ID, note)] of the verdict lines in offload's stdout."""
    return [(m.group(1), m.group(2), m.group(4) or "")
            for m in map(VERDICT_LINE.match, stdout.splitlines()) if m]


@pytest.mark.parametrize("workers", [False, True], ids=["batches", "workers"])
def test_verbose_prints_each_tests_verdict_as_junit_has_it(tmp_path, workers):
    project = copy_example(tmp_path / "project")
    set_config(project, config("[groups.all]\nretry_count = 2", framework=FRAMEWORK, parallel=2, workers=workers))
    res = run_offload(["run", "-v"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    lines = verdict_lines(res.stdout)
    final = {}
    for word, test_id, _ in lines:
        if word != "RETRY":
            assert test_id not in final, f"two verdicts for {test_id}"
            final[test_id] = WORDS[word]
    expected = {test_id: verdict(tc) for test_id, tc in junit_cases(project).items()}
    assert len(expected) > 10
    assert final == expected
    assert {"passed", "failed", "flaky", "skipped"} <= set(final.values())
    retries = [(test_id, note) for word, test_id, note in lines if word == "RETRY"]
    # Each failure before the last attempt is marked; a flaky test failed once, a failed one twice.
    for test_id, outcome in expected.items():
        assert sum(1 for t, _ in retries if t == test_id) == {"flaky": 1, "failed": 2}.get(outcome, 0), test_id
    assert ("tests/test_outcomes.py::test_flaky", "attempt 1 failed, runs again") in retries
    flaky = [note for word, test_id, note in lines if word == "FLAKY"]
    assert flaky == ["passed on attempt 2"]
    # Not a terminal: plain progress lines, nothing redrawn in place.
    assert "\x1b[" not in res.stderr and "\r" not in res.stderr
    assert re.search(r"^offload: \d+/\d+ done \(passed \d+", res.stderr, re.M), res.stderr


def test_without_verbose_no_verdict_lines(tmp_path):
    project = copy_example(tmp_path / "project")
    set_config(project, config("[groups.all]\nretry_count = 0", framework=FRAMEWORK, parallel=2))
    res = run_offload(["run"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    assert verdict_lines(res.stdout) == []


def run_on_terminal(args, cwd, columns, timeout=120):
    """Runs offload with a terminal of `columns` columns on stdout and stderr; returns what it wrote
    and how many seconds it ran."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = dict(os.environ)
    env.pop("CI", None)
    proc = subprocess.Popen([str(OFFLOAD), *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, close_fds=True)
    os.close(slave)
    out = b""
    began = time.monotonic()
    deadline = began + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    assert proc.wait(timeout=10) in (0, 1), out
    return out.decode("utf-8", errors="replace"), time.monotonic() - began


LONG_NAME = "test_a_test_whose_name_is_long_enough_that_it_must_be_shortened_to_fit_the_terminal"


@pytest.mark.parametrize("workers", [False, True], ids=["batches", "workers"])
def test_terminal_progress_line_shows_the_running_test_and_how_long_it_runs(tmp_path, workers):
    project = copy_example(tmp_path / "project")
    (project / "tests" / "test_console_slow.py").write_text(
        f"import time\n\ndef {LONG_NAME}():\n    time.sleep(2.0)\n")
    # Two files, two sandboxes: in batches too, the slow test's batch is its own.
    set_config(project, config("[groups.all]\nretry_count = 0",
                               framework='paths = ["tests/sub", "tests/test_console_slow.py"]',
                               parallel=2, workers=workers))
    columns = 100
    out, secs = run_on_terminal(["run"], project, columns)
    # Each redraw goes back and clears the line, as does each line printed over it.
    parts = [part.split("\r\n")[0] for part in out.split("\r\x1b[2K")[1:]]
    redraws = [p for p in parts if p.startswith("[")]
    showing = [r for r in redraws if "fit_the_terminal" in r]
    assert showing, parts
    for r in redraws:
        assert len(r) < columns, r
        # The elapsed time and the counts.
        assert re.match(r"\[[#-]+\] \d+/\d+ in [\dhms.]+  passed \d+, failed \d+", r), r
    # Shortened at its start, so the test's name stays; then how long it has run.
    times = []
    for r in showing:
        m = re.search(r"  \| \.\.\.\S*fit_the_terminal (\d+\.\d)s$", r)
        assert m, r
        times.append(float(m.group(1)))
    assert max(times) >= 1.0 and times == sorted(times), times
    assert len(redraws) <= 10 * secs + 2, (len(redraws), secs)
    assert "Test results:" in out


def test_a_warning_during_the_run_takes_the_progress_line_off_first(tmp_path):
    project = copy_example(tmp_path / "project")
    (project / "tests" / "test_console_slow.py").write_text(f"import time\n\ndef {LONG_NAME}():\n    time.sleep(2.0)\n")
    (project / "tests" / "test_exit3.py").write_text("def test_fine():\n    pass\n")
    # Its batch passes but exits 3, which offload warns of as soon as it ends, while the slow one runs.
    conftest = project / "tests" / "conftest.py"
    conftest.write_text(conftest.read_text() + """

def pytest_sessionfinish(session, exitstatus):
    if not session.config.option.collectonly and any("test_exit3" in i.nodeid for i in session.items):
        session.exitstatus = 3
""")
    set_config(project, config("[groups.all]\nretry_count = 0",
                               framework='paths = ["tests/test_console_slow.py", "tests/test_exit3.py"]',
                               parallel=2))
    out, _ = run_on_terminal(["run"], project, 100)
    warnings = [m.start() for m in re.finditer(r"offload: \S*warning", out)]
    assert warnings, out
    for at in warnings:
        # At the start of a line: the progress line was cleared, not written after.
        assert out[:at].endswith(("\r\x1b[2K", "\n")), repr(out[max(0, at - 120):at + 80])
