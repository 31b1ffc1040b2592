#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A small real test runner: each test is a shell script in tests/.

    runner.py list [REGEX]               print the test names, one per line
    runner.py run RESULT_FILE NAME...    run the named tests, write JUnit XML

Like pytest, it writes its JUnit file only at the end, so a test that kills
the runner leaves no results at all: exactly what offload must cope with.
"""
import os
import re
import subprocess
import sys
import time
from xml.sax.saxutils import escape, quoteattr

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "tests")


def list_tests(pattern):
    names = sorted(f[:-3] for f in os.listdir(TESTS) if f.endswith(".sh"))
    return [n for n in names if not pattern or re.search(pattern, n)]


def run_one(name):
    start = time.monotonic()
    proc = subprocess.run(["sh", os.path.join(TESTS, name + ".sh")], cwd=HERE,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.decode("utf-8", "replace")
    sys.stdout.write(out)
    sys.stdout.flush()
    elapsed = time.monotonic() - start
    if proc.returncode == 0:
        body = ""
    elif proc.returncode == 77:
        body = '<skipped message="skipped by the test"/>'
    else:
        body = "<failure message=%s>%s</failure>" % (
            quoteattr("exit status %d" % proc.returncode), escape(out[-2000:]))
    return '<testcase classname="scripted" name=%s time="%.3f">%s</testcase>' % (
        quoteattr(name), elapsed, body)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "list":
        print("\n".join(list_tests(sys.argv[2] if len(sys.argv) > 2 else "")))
        return 0
    if len(sys.argv) >= 3 and sys.argv[1] == "run":
        cases = [run_one(name) for name in sys.argv[3:]]
        with open(sys.argv[2], "w") as f:
            f.write('<?xml version="1.0"?>\n<testsuite name="scripted" tests="%d">%s</testsuite>\n'
                    % (len(cases), "".join(cases)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
