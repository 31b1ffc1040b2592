# SPDX-License-Identifier: MIT
"""Fixtures that write each setup and teardown to $WORKER_LOG, so a test can
see when (and how often) the worker set them up and tore them down."""
import os

import pytest


def note(line):
    with open(os.environ["WORKER_LOG"], "a") as log:
        log.write(line + "\n")


@pytest.fixture(scope="session")
def session_res():
    note("session-setup")
    yield
    note("session-teardown")


@pytest.fixture(scope="module")
def module_res(request, session_res):
    name = request.module.__name__.rsplit(".", 1)[-1]
    note("module-setup " + name)
    yield
    note("module-teardown " + name)


@pytest.fixture(scope="class")
def class_res(request):
    note("class-setup " + request.cls.__name__)
    yield
    note("class-teardown " + request.cls.__name__)


@pytest.fixture
def function_res(request):
    note("function-setup " + request.node.name)
    yield
    note("function-teardown " + request.node.name)


@pytest.fixture
def broken_setup():
    raise RuntimeError("the fixture could not be set up")


@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("the fixture could not be torn down")
