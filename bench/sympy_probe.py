# SPDX-License-Identifier: MIT
"""A pytest plugin bench/sympy loads (PYTEST_PLUGINS=sympy_probe) into every
pytest process of one accounting round, xdist's and offload's alike, to split
the CPU they spend into the suite's own work and the rest.

Each process that ends a session appends one JSON line to the file named by
OFFLOAD_BENCH_PROBE: its own CPU seconds, those spent collecting test modules
(importing them, assertion rewriting included) and those spent running tests
(setup, call, teardown and the runner's per-test reporting).
"""
import json
import os
import resource
import time

import pytest

_collecting = {}
_totals = {"collect_secs": 0.0, "tests_secs": 0.0, "tests": 0}


def _is_module(collector):
    # A Package is a Module whose collection spans its children's.
    return isinstance(collector, pytest.Module) and not isinstance(collector, pytest.Package)


def pytest_collectstart(collector):
    if _is_module(collector):
        _collecting[collector.nodeid] = time.process_time()


def pytest_collectreport(report):
    started = _collecting.pop(report.nodeid, None)
    if started is not None:
        _totals["collect_secs"] += time.process_time() - started


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.process_time()
    yield
    _totals["tests_secs"] += time.process_time() - started
    _totals["tests"] += 1


def pytest_sessionfinish(session):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    record = {"pid": os.getpid(), "cpu_secs": usage.ru_utime + usage.ru_stime, **_totals}
    with open(os.environ["OFFLOAD_BENCH_PROBE"], "a") as out:
        out.write(json.dumps(record) + "\n")
