# SPDX-License-Identifier: MIT
"""The host's end of the worker protocol (docs/worker-protocol.md), for tests."""
import json
import queue
import subprocess
import threading
import time

PREFIX = "@offload "


class Worker:
    """One worker process; events are read from its stdout on a thread."""

    def __init__(self, command, cwd, env=None, stderr_path=None, log=None):
        self.log = log
        self.stderr_path = stderr_path or cwd / "worker.stderr"
        with open(self.stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=stderr)
        self.events = queue.Queue()
        self.other_lines = []
        # `collected` reports, in order, kept apart from the other events;
        # `sequence` has every event's name and its id or file, in order.
        self.collected = []
        self.sequence = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith(PREFIX):
                event = json.loads(line[len(PREFIX):])
                self.sequence.append((event["event"], event.get("id", event.get("file"))))
                if event["event"] == "collected":
                    self.collected.append(event)
                else:
                    self.events.put(event)
            else:
                self.other_lines.append(line)
        self.events.put(None)

    def send(self, **request):
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()

    def run(self, *tests):
        self.send(op="run", tests=list(tests))

    def stop(self):
        self.send(op="stop")

    def collect(self, *files):
        self.send(op="collect", files=list(files))

    def collected_file(self, file, timeout=60):
        """The `collected` report of `file`, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.collected:
                if event["file"] == file:
                    return event
            time.sleep(0.02)
        raise AssertionError("no collected report of %s in %ss; stderr:\n%s" % (file, timeout, self.stderr()))

    def next_event(self, timeout=60):
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no event from the worker in %ss; stderr:\n%s" % (timeout, self.stderr()))

    def quiet_for(self, seconds):
        """True when the worker says nothing for `seconds`."""
        try:
            event = self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        self.events.put(event)
        return False

    def ready(self):
        event = self.next_event()
        assert event is not None and event["event"] == "ready", (event, self.stderr())
        assert event["protocol"] == 1
        return event

    def result(self, test_id):
        """Reads start (unless not_found) and result of `test_id`; returns the result."""
        event = self.next_event()
        assert event is not None, "worker ended before reporting %s; stderr:\n%s" % (test_id, self.stderr())
        if event["event"] == "start":
            assert event["id"] == test_id, event
            event = self.next_event()
            assert event is not None, "worker ended after start of %s" % test_id
        assert event["event"] == "result" and event["id"] == test_id, event
        return event

    def outcomes(self, *tests):
        return [self.result(t)["outcome"] for t in tests]

    def finish(self, timeout=60):
        """Waits for the end of stdout and of the process; the exit status."""
        assert self.next_event(timeout) is None, "an event after the last expected one"
        return self.proc.wait(timeout)

    def stderr(self):
        return self.stderr_path.read_text(errors="replace")

    def notes(self):
        return self.log.read_text().splitlines() if self.log and self.log.exists() else []

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)
