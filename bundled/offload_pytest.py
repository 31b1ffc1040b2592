# SPDX-License-Identifier: MIT
"""pytest plugin that offload loads (``-p offload_pytest``) to run one batch.

``--offload-ids=FILE`` names a file with one node ID per line. Only those
tests run; everything else pytest collected is deselected. Each JUnit
testcase is named by its full node ID, so offload maps results back to the
IDs it discovered exactly, whatever the ID holds (``::``, brackets, spaces,
quotes). A listed ID that pytest did not collect is left out of the results
rather than failing the batch; offload then runs it alone and reports it.
A listed module that skips itself at import (``pytest.importorskip``) is
reported as skipped under its node ID, as pytest's JUnit reports it.

``--offload-skipped=FILE`` (discovery) appends to FILE the node ID of each
collector that skipped itself, one per line: such a module holds no test
for ``--collect-only`` to list, yet a run reports it.

``--offload-files=FILE`` (discovery when persistent workers collect) writes
to FILE each file pytest would collect tests from, one node ID per line, in
collection order, and collects nothing from them: no test module is
imported, only conftests. The workers then collect each file once.

Pure standard library plus pytest >= 7; it does nothing without the option.
"""
import os
from pathlib import Path

import pytest

_PLUGIN_NAME = "offload-selection"
# pytest's exit status for "no tests collected".
_NO_TESTS_COLLECTED = 5


def pytest_addoption(parser):
    group = parser.getgroup("offload")
    group.addoption(
        "--offload-ids",
        metavar="FILE",
        default=None,
        help="run only the node IDs listed in FILE, one per line, and name JUnit testcases by node ID",
    )
    group.addoption(
        "--offload-skipped",
        metavar="FILE",
        default=None,
        help="append the node ID of every collector that skips itself to FILE, one per line",
    )
    group.addoption(
        "--offload-files",
        metavar="FILE",
        default=None,
        help="list the files tests would be collected from in FILE, one per line, importing none of them",
    )


def pytest_configure(config):
    path = config.getoption("offload_ids")
    if path:
        config.pluginmanager.register(_Selection(config, _read_ids(path)), _PLUGIN_NAME)
    skipped = config.getoption("offload_skipped")
    if skipped:
        config.pluginmanager.register(_SkippedCollectors(config, skipped), _PLUGIN_NAME + "-skips")
    files = config.getoption("offload_files")
    if files:
        config.pluginmanager.register(_FileLister(config, files), _PLUGIN_NAME + "-files")


class _FileLister:
    def __init__(self, config, path):
        self._out = open(path, "w", encoding="utf-8", errors="surrogateescape")
        base = config.invocation_params.dir
        # Files named as arguments: pytest insists on collecting something
        # from those ("found no collectors"), so they are listed and kept.
        self._named = {(base / arg.split("::", 1)[0]).resolve() for arg in config.args}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_collect_file(self, file_path, parent):
        outcome = yield
        # A package's __init__.py is walked, not listed: its modules are.
        collectors = [c for c in outcome.get_result() or [] if c is not None and not isinstance(c, pytest.Package)]
        if collectors:
            # The collector's node ID is the file's path relative to the
            # rootdir, as the tests' node IDs begin; dropping it keeps the
            # module from being imported.
            self._out.write(collectors[0].nodeid + "\n")
            self._out.flush()
            if file_path.resolve() not in self._named:
                outcome.force_result([])

    def pytest_unconfigure(self, config):
        self._out.close()


class _SkippedCollectors:
    def __init__(self, config, path):
        self._config = config
        self._path = path

    def pytest_collectreport(self, report):
        if report.skipped and report.nodeid and self._selected(report.nodeid):
            with open(self._path, "a", encoding="utf-8", errors="surrogateescape") as out:
                out.write(report.nodeid + "\n")

    def _selected(self, nodeid):
        """Whether -m and -k would keep a test of this collector, as far as
        can be told of one that never imported: it has no marks, and its
        keywords are the parts of its node ID."""
        try:
            from _pytest.mark.expression import Expression
        except ImportError:
            return True
        words = [part for part in nodeid.replace("::", "/").split("/") if part]
        words += [word[:-3] for word in words if word.endswith(".py")]
        markexpr = self._config.option.markexpr
        keyword = self._config.option.keyword
        if markexpr and not Expression.compile(markexpr).evaluate(lambda mark: False):
            return False
        if keyword:
            def matches(subname):
                return any(subname.lower() in word.lower() for word in words)
            return Expression.compile(keyword).evaluate(matches)
        return True


def _read_ids(path):
    with open(path, encoding="utf-8", errors="surrogateescape", newline="\n") as ids:
        return [line.rstrip("\n") for line in ids if line.rstrip("\n")]


def _junit_writer(config):
    """pytest's own JUnit writer, when --junitxml is active; None otherwise.

    pytest has no public API to rename a testcase from a plugin (the
    record_xml_attribute fixture warns on every test), so this reaches the
    writer where pytest >= 7 keeps it and degrades to pytest's own names,
    which offload also understands, when that ever moves.
    """
    try:
        from _pytest.junitxml import xml_key
    except ImportError:
        return None
    stash = getattr(config, "stash", None)
    return stash.get(xml_key, None) if stash is not None else None


class _Selection:
    def __init__(self, config, ids):
        self._config = config
        self._wanted = set(ids)
        self._files = {i.split("::", 1)[0] for i in ids}
        self._skipped_collectors = set()

    def pytest_ignore_collect(self, collection_path, config):
        # Node IDs are relative to the rootdir, which need not be the working
        # directory the batch script looks for their files in; when it found
        # none and pytest walks `paths`, this keeps it to the batch's files.
        if collection_path.name in ("__init__.py", "conftest.py"):
            return None
        relative = Path(os.path.relpath(collection_path, config.rootpath)).as_posix()
        if relative == "." or relative.startswith("../"):
            return None
        if collection_path.is_dir():
            prefix = relative + "/"
            return None if any(f.startswith(prefix) for f in self._files) else True
        return None if relative in self._files else True

    def pytest_collection_modifyitems(self, config, items):
        # pytest's own order is kept: it groups tests by module and class,
        # so module- and class-scoped fixtures are set up once per batch.
        selected = [item for item in items if item.nodeid in self._wanted]
        deselected = [item for item in items if item.nodeid not in self._wanted]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = selected
        missing = self._wanted.difference(item.nodeid for item in selected).difference(self._skipped_collectors)
        if missing:
            self._say(
                "offload: %d of %d listed test IDs were not collected: %s"
                % (len(missing), len(self._wanted), ", ".join(sorted(missing)[:20]))
            )

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report):
        if not report.skipped:
            return
        if report.nodeid in self._wanted:
            self._skipped_collectors.add(report.nodeid)
            self._name_testcase(report)
        else:
            # Not this batch's: pytest's JUnit would report it as a stray.
            report.outcome = "passed"

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report):
        self._name_testcase(report)

    def _name_testcase(self, report):
        # Before the JUnit writer sees the report, so its testcase (opened on
        # this report) already carries the node ID as its name.
        writer = _junit_writer(self._config)
        if writer is not None:
            writer.node_reporter(report).add_attribute("name", report.nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        # Only IDs that no longer exist were listed: nothing ran, and that is
        # offload's to report per test, not a failure of the batch.
        if exitstatus == _NO_TESTS_COLLECTED:
            session.exitstatus = 0

    def _say(self, line):
        terminal = self._config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None:
            terminal.write_line(line)
