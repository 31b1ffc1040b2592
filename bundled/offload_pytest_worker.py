# SPDX-License-Identifier: MIT
"""offload's persistent pytest worker (docs/worker-protocol.md, version 1).

    python offload_pytest_worker.py [--hint=FILE] [--] [PYTEST ARGS...]
    python offload_pytest_worker.py --plugin=FILE [--] [PYTEST ARGS...]

Runs pytest in this process with the worker as a plugin: it collects, says
``ready``, then runs the node IDs that arrive on stdin one at a time, in
order, and reports each one on stdout as it ends. Node IDs are pytest's own
(relative to its rootdir, as ``pytest --collect-only -q`` prints them).

Collection: with ``--hint=FILE`` (node IDs or files, one per line) only
those files are collected at start; any other file is collected the first
time one of its tests is requested, or when a ``collect`` request names it.
Without a hint, pytest collects what its arguments name, as a plain run
would. Each file collected is reported once, with its tests (``collected``),
so the host can use the workers' collection as its discovery.

Only protocol lines go to the real stdout: everything else written to fd 1
(pytest's terminal, the tests outside capture) goes to stderr, so an event
is never glued to the end of a progress line. The requests are read from a
private copy of stdin; fd 0 itself becomes /dev/null, so no test can eat
them. Pure standard library plus pytest >= 7.

With ``--plugin=FILE`` (offload's discovery, forked like a worker) it is
no worker: it runs pytest with the plugin module at FILE, as
``python -m pytest -p offload_pytest`` would, and prints on stdout in
UTF-8 whatever the locale.
"""
import json
import os
import signal
import sys
import threading
from pathlib import Path

import pytest

PROTOCOL = 1
EVENT_PREFIX = "@offload "
_BAD_REQUEST_STATUS = 2


class Requests:
    """The queue of requested IDs, filled by a thread reading the host's lines."""

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Condition()
        self._ids = []
        self._collects = []  # files the host asked to collect, not collected yet
        self._stopped = False
        self.interrupted = False
        self.bad_request = None

    def start(self):
        threading.Thread(target=self._read, name="offload-requests", daemon=True).start()

    def _read(self):
        number = 0
        try:
            for raw in self._stream:
                number += 1
                if not raw.strip():
                    continue
                problem = self._take(raw)
                if problem:
                    self._stop("offload worker: request line %d %s" % (number, problem))
                    return
        finally:
            self._stop(None)

    def _take(self, raw):
        try:
            request = json.loads(raw.decode("utf-8", "surrogateescape"))
        except ValueError as error:
            return "is not JSON (%s)" % error
        if not isinstance(request, dict):
            return ('is not a JSON object; expected {"op": "run", "tests": [...]}, '
                    '{"op": "collect", "files": [...]} or {"op": "stop"}')
        op = request.get("op")
        if op == "stop":
            self._stop(None)
            return None
        if op not in ("run", "collect"):
            return 'has op %s; expected "run", "collect" or "stop"' % json.dumps(op)
        member = "tests" if op == "run" else "files"
        names = request.get(member)
        if not isinstance(names, list) or not all(isinstance(t, str) for t in names):
            return 'has "%s" that is not a list of strings' % member
        with self._lock:
            if not self._stopped:
                (self._ids if op == "run" else self._collects).extend(names)
                self._lock.notify_all()
        return None

    def _stop(self, problem):
        with self._lock:
            if problem and not self._stopped:
                self.bad_request = problem
            self._stopped = True
            self._lock.notify_all()

    def interrupt(self):
        """No test queued or still to come runs any more (the worker is being stopped).

        Called from a signal handler, on the thread that may hold the lock:
        the Condition's lock is reentrant.
        """
        with self._lock:
            self.interrupted = self._stopped = True
            self._lock.notify_all()

    def wait(self, count, collect):
        """Blocks until `count` IDs are queued or no more will come; the queue's head.

        Files asked for meanwhile are handed to `collect` (outside the lock)
        at once: the host may be waiting for their tests to send the next IDs.
        """
        while True:
            with self._lock:
                if self.interrupted:
                    return []
                while len(self._ids) < count and not self._stopped and not self._collects:
                    self._lock.wait()
                files, self._collects = self._collects, []
                if not files:
                    return list(self._ids[:count])
            for file in files:
                collect(file)

    def pop(self):
        with self._lock:
            return self._ids.pop(0)


class Events:
    """Protocol lines on the real stdout, each flushed at once (a crash keeps what was said)."""

    def __init__(self, stream):
        self._stream = stream

    def send(self, **event):
        self._stream.write(EVENT_PREFIX + json.dumps(event, ensure_ascii=False) + "\n")
        self._stream.flush()


def _one_line(text):
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return ""


def _message(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (path, line, reason)
        return _one_line(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return _one_line(crash.message)
    lines = [line for line in str(longrepr).splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _verdict(reports):
    """(outcome, message, details) of one test from its setup/call/teardown reports."""
    details = "\n".join(r.longreprtext for r in reports if r.failed and r.longreprtext)
    for report in reports:
        if report.failed:
            return ("failed" if report.when == "call" else "error"), _message(report), details
    for report in reports:
        if hasattr(report, "wasxfail") and report.skipped:
            reason = report.wasxfail
            return "skipped", "xfail" + (": " + _one_line(reason) if reason else ""), details
        if report.skipped:
            return "skipped", _message(report), details
    return "passed", "", details


class Worker:
    """The pytest plugin that is the worker."""

    def __init__(self, requests, events, hint_ids, started):
        self._requests = requests
        self._started = started
        self._events = events
        self._hint_files = None if hint_ids is None else {_file_of(i) for i in hint_ids}
        self._config = None
        self._session = None
        self._items = {}
        self._by_file = {}  # rootdir-relative file -> its node IDs, in collection order
        self._collected_files = set()
        self._file_errors = {}  # rootdir-relative file -> (message, details)
        self._skipped_collectors = {}  # node ID of a module that skipped itself at import -> reason
        self._errors = []
        self._reported_files = set()
        self._reports = []
        self._current = None

    # Collection -----------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config):
        self._config = config

    def pytest_ignore_collect(self, collection_path, config):
        # With a hint, the first collection keeps to the hinted files; pytest
        # still walks the arguments (so rootdir and conftests are a plain run's).
        if self._hint_files is None or self._session is not None:
            return None
        return None if self._wanted(collection_path) else True

    def _wanted(self, path):
        # Packages and conftests stay, so fixtures and node IDs are a plain run's.
        if path.name in ("__init__.py", "conftest.py"):
            return True
        relative = Path(os.path.relpath(path, self._config.rootpath)).as_posix()
        if relative == "." or relative.startswith("../"):
            return True
        if path.is_dir():
            return any(f.startswith(relative + "/") for f in self._hint_files)
        return relative in self._hint_files

    def pytest_collectreport(self, report):
        if report.skipped and report.nodeid:
            # pytest.importorskip at module level: no item, yet a plain run
            # reports the module as skipped under its node ID.
            self._skipped_collectors[report.nodeid] = _message(report)
        if report.failed:
            message = "ERROR collecting %s: %s" % (report.nodeid or ".", _message(report))
            self._errors.append(message)
            self._file_errors[_file_of(report.nodeid)] = (message, report.longreprtext)

    def pytest_collection_finish(self, session):
        for item in session.items:
            if item.nodeid not in self._items:
                self._items[item.nodeid] = item
                self._by_file.setdefault(_file_of(item.nodeid), []).append(item.nodeid)
            self._collected_files.add(_file_of(item.nodeid))

    def _collect_file(self, relative):
        """Collects a file that was never collected (a no-op otherwise), and reports it."""
        if relative not in self._collected_files and relative not in self._file_errors:
            self._collected_files.add(relative)
            path = self._config.rootpath / relative
            if path.is_file():
                try:
                    self._session.perform_collect([str(path)])
                except pytest.UsageError:
                    pass  # pytest would not collect this file (python_files, --ignore, ...)
                except Exception as error:
                    self._file_errors[relative] = ("ERROR collecting %s: %s" % (relative, _one_line(error)), "")
        self._report_file(relative)
        self._report_the_rest()

    def _report_the_rest(self):
        # Collecting one path can collect others (a package's __init__.py
        # collects the package): every file that has items is reported, so
        # none of its tests runs unannounced.
        for other in sorted((self._collected_files | set(self._file_errors)) - self._reported_files):
            self._report_file(other or ".")  # "": an error above every file (the rootdir's)

    def _report_file(self, relative):
        """One ``collected`` event per file: its tests in collection order, or why it has none."""
        if relative in self._reported_files:
            return
        self._reported_files.add(relative)
        ids = list(self._by_file.get(relative, ()))
        ids += [i for i in self._skipped_collectors if _file_of(i) == relative and i not in self._items]
        tests = []
        for test_id in ids:
            classname, name = _junit_name(test_id)
            tests.append({"id": test_id, "classname": classname, "name": name})
        event = {"event": "collected", "file": relative, "tests": tests}
        if relative in self._file_errors:
            event["error"] = self._file_errors[relative][0]
        self._events.send(**event)

    def _item(self, test_id):
        item = self._items.get(test_id)
        if item is None:
            self._collect_file(_file_of(test_id))
            item = self._items.get(test_id)
        return item

    # Running --------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        self._session = session
        for relative in sorted(self._hint_files or ()):
            self._report_file(relative)
        self._report_the_rest()
        self._events.send(event="ready", protocol=PROTOCOL, collected=list(self._items), errors=self._errors)
        self._started()
        while True:
            head = self._requests.wait(1, self._collect_file)
            if not head:
                break
            test_id = head[0]
            item = self._item(test_id)
            if item is None:
                self._requests.pop()
                self._report_missing(test_id)
                continue
            nextitem = self._next_known_item()
            self._requests.pop()
            self._run(item, nextitem)
        return True

    def _next_known_item(self):
        """The item the queue will run after its head (look-ahead); None when none follows."""
        count = 2
        while True:
            queued = self._requests.wait(count, self._collect_file)
            if len(queued) < count:
                return None
            item = self._item(queued[-1])
            if item is not None:
                return item
            count += 1

    def _report_missing(self, test_id):
        error = self._file_errors.get(_file_of(test_id))
        if test_id in self._skipped_collectors:
            self._events.send(event="result", id=test_id, outcome="skipped", duration=0.0,
                              message=self._skipped_collectors[test_id], details="", stdout="", stderr="", log="")
        elif error:
            self._events.send(event="result", id=test_id, outcome="error", duration=0.0, message=error[0],
                              details=error[1], stdout="", stderr="", log="")
        else:
            self._events.send(event="result", id=test_id, outcome="not_found", duration=0.0,
                              message="no test with this ID was collected", details="", stdout="", stderr="",
                              log="")

    def _run(self, item, nextitem):
        if nextitem is item:
            # A retry of this same test comes next: its own function-level
            # fixtures must still be torn down, its module's and class's kept.
            nextitem = item.parent
        self._reports = []
        self._current = item.nodeid
        item._report_sections = []  # a retry reports only its own output
        self._events.send(event="start", id=item.nodeid)
        item.ihook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        self._current = None
        if self._requests.interrupted:
            return  # stopped mid-test: whatever the test made of that, it has no verdict
        reports = self._reports
        outcome, message, details = _verdict(reports)
        last = reports[-1] if reports else None
        self._events.send(event="result", id=item.nodeid, outcome=outcome,
                          duration=sum(r.duration for r in reports), message=message, details=details,
                          stdout=last.capstdout if last else "", stderr=last.capstderr if last else "",
                          log=last.caplog if last else "")

    def pytest_runtest_logreport(self, report):
        if report.nodeid == self._current:
            self._reports.append(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        # Failed tests are results, not a failure of the worker; being
        # stopped is (even when a test swallowed the KeyboardInterrupt).
        stopped = self._requests.interrupted or exitstatus == pytest.ExitCode.INTERRUPTED
        session.exitstatus = pytest.ExitCode.INTERRUPTED if stopped else 0


def _file_of(test_id):
    return test_id.split("::", 1)[0]


def _junit_name(test_id):
    """(classname, name) of a node ID as pytest's own JUnit writes them."""
    try:
        from _pytest.junitxml import mangle_test_address
        names = mangle_test_address(test_id)
    except (ImportError, AttributeError):
        path, bracket, params = test_id.partition("[")
        names = path.split("::")
        names[0] = names[0].replace("/", ".")
        if names[0].endswith(".py"):
            names[0] = names[0][:-3]
        names[-1] += bracket + params
    return ".".join(names[:-1]), names[-1]


def _read_hint(path):
    with open(path, encoding="utf-8", errors="surrogateescape", newline="\n") as lines:
        return [line.rstrip("\n") for line in lines if line.rstrip("\n")]


def _split_args(argv):
    """(hint file, plugin file, pytest's arguments)."""
    found = {"--hint=": None, "--plugin=": None}
    rest = list(argv)
    while rest and rest[0].startswith(tuple(found)):
        option, _, value = rest.pop(0).partition("=")
        found[option + "="] = value
    if rest and rest[0] == "--":
        rest.pop(0)
    return found["--hint="], found["--plugin="], rest


def _run_pytest(plugin_path, pytest_args):
    """pytest itself, with the plugin at `plugin_path` registered."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("offload_pytest", plugin_path)
    plugin = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = plugin
    spec.loader.exec_module(plugin)
    # Node IDs can hold any text; a stdout inherited from a fork server has
    # that server's encoding, whatever this process's environment says.
    sys.stdout.flush()
    sys.stdout.reconfigure(encoding="utf-8", errors="surrogateescape")
    return int(pytest.main(pytest_args, plugins=[plugin]))


def _tear_down_on_sigterm(requests):
    """offload stops a worker with SIGTERM, then SIGKILL after a grace period.

    Python's default for SIGTERM is to die on the spot, so the test in
    flight and its module's and session's fixtures were never torn down
    (temp servers, databases, files left behind). As a KeyboardInterrupt,
    pytest ends the test, runs every teardown and ends the session; the
    interrupted test gets no result, even if it swallowed the exception,
    and no further test runs. A second SIGTERM kills at once.
    """
    def interrupt(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        requests.interrupt()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def main(argv, started=lambda: None):
    """The worker's exit status. `started` is called once it is ready (its
    start-up, imports and first collection, is over)."""
    hint_path, plugin_path, pytest_args = _split_args(argv)
    # As `python -m pytest` does: the working directory, not this file's, is importable.
    sys.path[0] = os.getcwd()
    if plugin_path is not None:
        return _run_pytest(plugin_path, pytest_args)
    hint_ids = _read_hint(hint_path) if hint_path else None

    requests_fd = os.dup(0)
    events_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout.flush()
    os.dup2(2, 1)

    requests = Requests(os.fdopen(requests_fd, "rb"))
    events = Events(os.fdopen(events_fd, "w", encoding="utf-8", errors="surrogateescape"))
    requests.start()
    _tear_down_on_sigterm(requests)
    status = pytest.main(pytest_args, plugins=[Worker(requests, events, hint_ids, started)])
    if requests.bad_request:
        sys.stderr.write(requests.bad_request + "\n")
        return _BAD_REQUEST_STATUS
    return int(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
