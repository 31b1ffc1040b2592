# SPDX-License-Identifier: MIT
"""Shared fixtures and markers of the example suite."""
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes a noticeable time; run in its own group")


@pytest.fixture
def state_dir():
    """The project's .state/ directory, shared by every run in this copy of the project."""
    path = PROJECT / ".state"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def numbers():
    return [3, 1, 2]
