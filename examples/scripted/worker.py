#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A persistent worker for runner.py's tests (docs/worker-protocol.md).

    worker.py        reads requests on stdin, reports on stdout

The `default` framework starts it through `worker_command`. Its tests have
no fixtures to tear down, so it runs each test as soon as its request is
read; the pipe holds what the host sends meanwhile.
"""
import json
import os
import subprocess
import sys
import time

import runner

PREFIX = "@offload "


def send(**event):
    sys.stdout.write(PREFIX + json.dumps(event) + "\n")
    sys.stdout.flush()


def run(name):
    if name not in runner.list_tests(""):
        return {"outcome": "not_found", "duration": 0.0}
    send(event="start", id=name)
    start = time.monotonic()
    proc = subprocess.run(["sh", os.path.join(runner.TESTS, name + ".sh")], cwd=runner.HERE,
                          stdin=subprocess.DEVNULL, capture_output=True)
    result = {"duration": time.monotonic() - start, "stdout": proc.stdout.decode("utf-8", "replace"),
              "stderr": proc.stderr.decode("utf-8", "replace")}
    if proc.returncode == 0:
        result["outcome"] = "passed"
    elif proc.returncode == 77:
        result.update(outcome="skipped", message="skipped by the test")
    else:
        result.update(outcome="failed", message="exit status %d" % proc.returncode)
    return result


def main():
    send(event="ready", protocol=1, collected=runner.list_tests(""), errors=[])
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            op = request["op"]
        except (ValueError, TypeError, KeyError):
            print("worker.py: request line %d is not a JSON object with an op" % number, file=sys.stderr)
            return 2
        if op == "stop":
            break
        if op != "run":
            print("worker.py: request line %d has op %r; expected run or stop" % (number, op), file=sys.stderr)
            return 2
        for name in request.get("tests", []):
            send(event="result", id=name, **run(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
