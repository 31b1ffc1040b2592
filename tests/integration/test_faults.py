# SPDX-License-Identifier: MIT
"""The net: hundreds of tests through a provider that fails on purpose, over
hundreds of seeds, and the invariants that must hold for every one of them.
Only the CLI, junit.xml and files the test can see are used, so it checks any
engine behind them."""
import os
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import FIXTURE_PLUGINS, OFFLOAD

pytestmark = pytest.mark.plugins("framework_default")

SEEDS = int(os.environ.get("OFFLOAD_FAULT_SEEDS", "200"))
TESTS_PER_SEED = 24

RUNNER = r"""#!/bin/sh
# runner.sh LEDGER RESULT ID...: IDs ending in _f fail, the others pass; each
# pass is also written to LEDGER, the proof that this run produced it.
ledger=$1 result=$2
shift 2
{
  printf '<testsuite name="faults">\n'
  for id in "$@"; do
    case $id in
    *_f) printf '<testcase name="%s" time="0.001"><failure message="designed to fail"/></testcase>\n' "$id" ;;
    *) printf '<testcase name="%s" time="0.001"/>\n' "$id"; printf '%s\n' "$id" >>"$ledger" ;;
    esac
  done
  printf '</testsuite>\n'
} >"$result"
"""

# The same tests served by a persistent worker (docs/worker-protocol.md).
WORKER = r"""import json, sys
ledger = sys.argv[1]
def send(**event):
    sys.stdout.write("@offload " + json.dumps(event) + "\n")
    sys.stdout.flush()
send(event="ready", protocol=1, collected=[], errors=[])
for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "stop":
        break
    for test in request["tests"]:
        send(event="start", id=test)
        if test.endswith("_f"):
            send(event="result", id=test, outcome="failed", duration=0.001, message="designed to fail")
        else:
            with open(ledger, "a") as out:
                out.write(test + "\n")
            send(event="result", id=test, outcome="passed", duration=0.001)
"""


def config(root, seed, workers):
    return f"""
[offload]
max_parallel = 3
test_timeout_secs = {5 if workers else 30}
discovery_timeout_secs = 60
persistent_workers = {"true" if workers else "false"}
# A worker whose output is lost is only noticed by its silence.
per_test_timeout_secs = 2

[provider]
type = "fault"
state_dir = "{root}/state"
seed = {seed}
fail_create = 15
fail_exec = 10
fail_download = 10
truncate = 10
wrong_exit = 10
die = 5
max_delay_ms = 3

[framework]
type = "default"
discover_command = "cat {root}/ids.txt"
run_command = "sh {root}/runner.sh {root}/ledger {{result_file}} {{tests}}"
worker_command = "/usr/bin/python3 {root}/worker.py {root}/ledger"

[groups.all]
retry_count = 1

[report]
output_dir = "{root}/out"
"""


def verdicts(report):
    """[(id, verdict)] for every testcase of the discovered tests' suites."""
    found = []
    for suite in ET.parse(report).getroot().iter("testsuite"):
        if suite.get("name") == "unmatched results":
            continue
        for tc in suite.iter("testcase"):
            tags = {child.tag for child in tc}
            error = tc.find("error")
            if error is not None and error.get("type") == "not-run":
                v = "not-run"
            elif tags & {"failure", "error"}:
                v = "failed"
            elif tags & {"flakyFailure", "flakyError"}:
                v = "flaky"
            elif "skipped" in tags:
                v = "skipped"
            else:
                v = "passed"
            found.append((tc.get("name"), v))
    return found


def run_seed(base, seed, workers):
    root = base / f"seed-{seed}"
    (root / "state").mkdir(parents=True)
    ids = [f"t{seed:03d}_{i:02d}_{'f' if i % 5 == 0 else 'p'}" for i in range(TESTS_PER_SEED)]
    (root / "ids.txt").write_text("\n".join(ids) + "\n")
    (root / "runner.sh").write_text(RUNNER)
    (root / "worker.py").write_text(WORKER)
    (root / "ledger").write_text("")
    (root / "offload.toml").write_text(config(root, seed, workers))
    env = dict(os.environ)
    env.pop("CI", None)
    try:
        res = subprocess.run([str(OFFLOAD), "--plugin-dir", str(FIXTURE_PLUGINS / "fault"), "run"], cwd=root, env=env,
                             capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as hung:
        said = hung.stderr.decode("utf-8", "replace") if isinstance(hung.stderr, bytes) else hung.stderr or ""
        return [f"seed {seed}: the run did not end within 120 s; it said: {said[-1500:]}"]
    problems = []
    where = f"seed {seed} (exit {res.returncode}): "
    if res.returncode not in (0, 1, 2):
        problems.append(where + "unexpected exit status; stderr: " + res.stderr[-2000:])
        return problems
    report = root / "out" / "junit.xml"
    if not report.exists():
        return [where + "no junit.xml; stderr: " + res.stderr[-2000:]]
    seen = verdicts(report)
    counts = Counter(name for name, _ in seen)
    if set(counts) != set(ids) or any(n != 1 for n in counts.values()):
        problems.append(where + f"verdicts are not one per discovered test: {sorted(counts.items())}")
    ledger = set((root / "ledger").read_text().split())
    for name, v in seen:
        if v in ("passed", "flaky") and (name.endswith("_f") or name not in ledger):
            problems.append(where + f"{name} is {v} without a passing result from this run")
    events = (root / "state" / "events").read_text().split("\n") if (root / "state" / "events").exists() else []
    created = Counter(e.split(" ", 1)[1] for e in events if e.startswith("create "))
    destroyed = Counter(e.split(" ", 1)[1] for e in events if e.startswith("destroy "))
    if created != destroyed:
        problems.append(where + f"sandboxes created {dict(created)} but destroyed {dict(destroyed)}")
    left = [p.name for p in (root / "state").iterdir() if p.name.startswith("sb-")]
    if left:
        problems.append(where + f"sandbox directories left: {left}")
    return problems


@pytest.mark.parametrize("workers", [False, True], ids=["batches", "workers"])
def test_invariants_hold_under_injected_faults(tmp_path, workers):
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda s: run_seed(tmp_path, s, workers), range(1, SEEDS + 1)))
    problems = [p for r in results for p in r]
    assert not problems, f"{len(problems)} broken invariants, first ones:\n" + "\n".join(problems[:10])
