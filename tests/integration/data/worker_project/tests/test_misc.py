# SPDX-License-Identifier: MIT
"""Tests that misbehave in the ways a worker must survive or report."""
import logging
import os
import sys
import time
from pathlib import Path

from conftest import note


def test_prints():
    print("hello from test_prints")
    print("to stderr from test_prints", file=sys.stderr)
    logging.getLogger("worker-test").warning("logged by test_prints")


def test_quiet():
    pass


def test_fails():
    assert 1 + 1 == 3, "arithmetic is broken"


def test_fails_once(function_res):
    """Fails on its first run in a project copy, passes on every later one."""
    marker = Path(os.environ["WORKER_LOG"]).with_suffix(".ran-once")
    first = not marker.exists()
    marker.touch()
    note("run test_fails_once")
    assert not first, "first run fails"


def test_setup_error(broken_setup):
    note("run test_setup_error")


def test_teardown_error(broken_teardown):
    pass


def test_exits():
    sys.stdout.flush()
    os._exit(3)


def test_hangs(function_res):
    note("run test_hangs")
    time.sleep(3600)
