# SPDX-License-Identifier: MIT
"""Skips, expected failures, a slow test and a flaky one."""
import sys
import time

import pytest


@pytest.mark.skip(reason="shows a skipped test")
def test_skipped():
    raise AssertionError("never runs")


@pytest.mark.skipif(sys.version_info < (3,), reason="needs Python 3")
def test_not_skipped():
    assert True


@pytest.mark.xfail(reason="known bug", strict=True)
def test_expected_failure():
    assert 1 + 1 == 3


@pytest.mark.slow
def test_slow():
    time.sleep(0.3)
    assert True


def test_flaky(state_dir):
    # Fails on the first attempt in a fresh copy of the project, then passes.
    marker = state_dir / "flaky-attempted"
    if not marker.exists():
        marker.write_text("1")
        pytest.fail("first attempt fails")
