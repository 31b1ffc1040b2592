# SPDX-License-Identifier: MIT
"""Errors outside the test body: pytest reports them as <error>, not <failure>."""
import pytest


@pytest.fixture
def broken_setup():
    raise RuntimeError("set-up fails on purpose")


@pytest.fixture
def broken_teardown():
    yield 1
    raise RuntimeError("tear-down fails on purpose")


def test_setup_error(broken_setup):
    assert broken_setup


def test_teardown_error(broken_teardown):
    assert broken_teardown == 1
