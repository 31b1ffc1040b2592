# SPDX-License-Identifier: MIT
"""pytest workers forked from one server that imported pytest
(offload_pytest_forkserver.py): each still lives in its own sandbox's world,
dies alone and leaves nothing behind. Real pytest, real offload."""
import ast
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BUILD, junit_cases, run_offload, verdict
from test_worker_faults import project_with

pytestmark = pytest.mark.plugins("provider_local", "framework_pytest")

# Each test says which process is its worker's parent, and what its sandbox is.
REPORTER = """
import json, os, time
def _report(name):
    with open("/proc/%d/cmdline" % os.getppid(), "rb") as f:
        parent = f.read().split(b"\\0")
    print("WHERE " + json.dumps({"test": name, "pid": os.getpid(), "ppid": os.getppid(),
                                 "parent": [p.decode() for p in parent if p],
                                 "sandbox": os.environ.get("OFFLOAD_SANDBOX_ID"),
                                 "tmpdir": os.environ.get("TMPDIR"), "cwd": os.getcwd()}))
    os.makedirs("seen", exist_ok=True)
    open("seen/%d-%s" % (os.getpid(), name), "w").close()
    time.sleep(0.3)
def _hold():
    # Keeps its worker (and so the server) alive until two others have run tests.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if len({n.split("-")[0] for n in os.listdir("seen")} - {str(os.getpid())}) >= 2:
            return
        time.sleep(0.05)
"""


def reporting_tests(count, hold=False):
    first = "def test_0(): _report(0); _hold()\n" if hold else "def test_0(): _report(0)\n"
    return REPORTER + first + "".join(f"def test_{i}(): _report({i})\n" for i in range(1, count))


def wheres(project):
    """What each test said, from its system-out in junit.xml."""
    said = []
    for tc in junit_cases(project).values():
        out = tc.find("system-out")
        said += [json.loads(line[len("WHERE "):]) for line in (out.text if out is not None else "").splitlines()
                 if line.startswith("WHERE ")]
    return said


def private_tmp(tmp_path):
    """A TMPDIR of the test's own: the run's sandboxes and fork-server
    directory are made there, so its processes are told from those of the
    tests that run beside it."""
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    return {"TMPDIR": str(tmp)}


def run_passing(project, env):
    res = run_offload(["run"], project, timeout=120, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    return project


def left_behind(env):
    """Processes still running with a command line under the test's TMPDIR."""
    return subprocess.run(["pgrep", "-af", env["TMPDIR"]], capture_output=True, text=True).stdout


def test_workers_of_a_run_are_forked_from_one_server_yet_each_lives_in_its_sandbox(tmp_path):
    project = project_with(tmp_path, {"test_where.py": reporting_tests(8, hold=True)}, parallel=3, fork=True)
    config = project / "offload.toml"
    config.write_text(config.read_text().replace("per_test_timeout_secs = 3\n", "per_test_timeout_secs = 60\n"))
    env = private_tmp(tmp_path)
    found = wheres(run_passing(project, env))
    assert sorted(w["test"] for w in found) == list(range(8)), found
    # test_0 held its worker, and so the server, until two others had begun.
    servers = {w["ppid"] for w in found}
    assert len(servers) == 1, found
    assert "offload_pytest_forkserver.py" in " ".join(found[0]["parent"])
    # Several workers, each with its own sandbox's variables, all in the project.
    by_worker = {}
    for w in found:
        by_worker.setdefault(w["pid"], set()).add((w["sandbox"], w["tmpdir"]))
    assert len(by_worker) >= 2, found
    assert all(len(seen) == 1 for seen in by_worker.values()), by_worker
    sandboxes = [next(iter(seen)) for seen in by_worker.values()]
    assert len({s for s, _ in sandboxes}) == len(sandboxes) and len({t for _, t in sandboxes}) == len(sandboxes)
    assert {w["cwd"] for w in found} == {str(project)}
    # The server went with its last worker, and so did its directory.
    assert left_behind(env) == ""
    fork_dirs = [a for a in found[0]["parent"] if a.startswith(env["TMPDIR"] + "/offload-pytest-forks-")]
    assert len(fork_dirs) == 1 and not os.path.exists(fork_dirs[0]), found[0]["parent"]


def test_without_fork_workers_every_worker_starts_in_its_own_interpreter(tmp_path):
    project = project_with(tmp_path, {"test_where.py": reporting_tests(4)}, parallel=2)
    found = wheres(run_passing(project, private_tmp(tmp_path)))
    assert sorted(w["test"] for w in found) == list(range(4)), found
    assert not any("offload_pytest_forkserver.py" in " ".join(w["parent"]) for w in found), found


def test_a_forked_worker_that_is_killed_is_reported_crashed_and_the_others_go_on(tmp_path):
    project = project_with(tmp_path, {"test_die.py": """
        import os, signal, subprocess
        def test_ok_1(): pass
        def test_dies():
            subprocess.Popen(["sleep", "300.4242"])  # its group goes with it
            os.kill(os.getpid(), signal.SIGKILL)
        def test_ok_2(): pass
        def test_ok_3(): pass
    """}, parallel=2, fork=True)
    env = private_tmp(tmp_path)
    res = run_offload(["run"], project, timeout=120, env=env)
    assert res.returncode == 1, res.stdout + res.stderr
    cases = junit_cases(project)
    assert verdict(cases["tests/test_die.py::test_dies"]) == "failed", res.stdout
    assert {verdict(cases[f"tests/test_die.py::test_ok_{i}"]) for i in (1, 2, 3)} == {"passed"}, res.stdout
    assert "killed" not in res.stderr, res.stderr
    assert left_behind(env) == ""
    assert subprocess.run(["pgrep", "-f", "sleep 300.4242"], capture_output=True).returncode == 1


def test_a_private_directory_of_someone_else_is_not_used(tmp_path):
    """A fork-server directory that is not this user's and 0700 is never
    trusted: whoever can put a socket there would be handed the workers'
    stdio. The worker then starts in an interpreter of its own."""
    fork_server = BUILD / "bundled" / "offload_pytest_forkserver.py"
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    worker = tmp_path / "worker.py"
    worker.write_text("import sys\nprint('ALONE', sys.argv[1:])\n")
    res = subprocess.run(["/usr/bin/python3", str(fork_server), str(shared), str(worker), "--", "-q"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "ALONE ['--', '-q']\n"
    assert os.listdir(shared) == []


def test_discovery_is_forked_from_the_server_the_workers_then_use(tmp_path):
    """A cold run lists its files first, through the fork server, which then
    waits for the workers instead of ending with discovery: one set of
    imports for discovery and the first workers; gone after the run."""
    project = project_with(tmp_path, {"conftest.py": """
        import os
        os.makedirs("imports", exist_ok=True)
        with open("imports/%d" % os.getpid(), "w") as f:
            f.write("%d %s" % (os.getppid(), os.environ.get("OFFLOAD_SANDBOX_ID", "discovery")))
    """, **one_file_each(4)}, parallel=2, fork=True)
    env = private_tmp(tmp_path)
    run_passing(project, env)
    imports = [p.read_text().split() for p in (project / "imports").iterdir()]
    discovery = [ppid for ppid, who in imports if who == "discovery"]
    workers = {ppid for ppid, who in imports if who != "discovery"}
    # Its server forked workers. (It ends when none runs, so a worker
    # restarted later may find a new one.)
    assert len(discovery) == 1 and discovery[0] in workers, imports
    assert len(cases := junit_cases(project)) == 4 and {verdict(c) for c in cases.values()} == {"passed"}
    assert left_behind(env) == ""


# Runs the fork-server client with --linger, as offload's discovery does,
# then a worker's client, and says what it saw. Each worker prints its parent
# (the server) and returns at once.
LINGERING = """
import json, os, subprocess, sys, time
fork_server, directory, worker, then = sys.argv[1:]
def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
def client(*linger):
    out = subprocess.run([sys.executable, fork_server, *linger, directory, worker], check=True,
                         capture_output=True, text=True, timeout=20).stdout
    return int(out)
server = client("--linger=30")
lingered = alive(server)
said = {"server": server, "lingered": lingered}
if then == "worker":
    said["worker_server"] = client()
    # It exits as it closes its end; being seen dead may take a moment
    # more on a loaded machine, far less than the 30 s it was asked to wait.
    deadline = time.monotonic() + 10
    while alive(server) and time.monotonic() < deadline:
        time.sleep(0.02)
    said["gone_with_worker"] = not alive(server)
print(json.dumps(said))
"""


def alive(pid):
    """True while `pid` runs (a zombie has ended)."""
    try:
        return Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def ended_soon(pid, secs=10):
    """Whether `pid` ends within `secs`: a process that has closed its
    files may still be exiting for a moment on a loaded machine."""
    deadline = time.monotonic() + secs
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not alive(pid)


def with_parent(tmp_path, script, worker_source, *args):
    """Runs `script` with the fork server, a private directory for it and a
    worker module made of `worker_source` as its first arguments."""
    directory = tmp_path / "forks"
    directory.mkdir(mode=0o700)
    worker = tmp_path / "worker.py"
    worker.write_text(worker_source)
    parent = tmp_path / "parent.py"
    parent.write_text(script)
    fork_server = BUILD / "bundled" / "offload_pytest_forkserver.py"
    res = subprocess.run(["/usr/bin/python3", str(parent), str(fork_server), str(directory), str(worker), *args],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    return res.stdout


def lingering_run(tmp_path, then):
    worker = "import os\ndef main(args, started):\n    print(os.getppid())\n    return 0\n"
    return json.loads(with_parent(tmp_path, LINGERING, worker, then))


def test_the_request_carries_any_bytes_of_arguments_and_environment_to_the_forked_worker(tmp_path):
    fork_server = BUILD / "bundled" / "offload_pytest_forkserver.py"
    directory = tmp_path / "forks"
    directory.mkdir(mode=0o700)
    worker = tmp_path / "worker.py"
    worker.write_text("import os, sys\n"
                      "def main(args, started):\n"
                      "    sys.stdout.buffer.write(repr((os.getppid(), os.environb[b'ODD'], [os.fsencode(a) for a in args]))"
                      ".encode())\n"
                      "    return 7\n")
    odd = b"line\nbreak 'quote' \"dq\" \\ \xff\xfe caf\xc3\xa9 }{"
    env = dict(os.environb, ODD=odd)
    res = subprocess.run([b"/usr/bin/python3", bytes(fork_server), bytes(directory), bytes(worker), b"--", odd, b""],
                         env=env, capture_output=True, timeout=60)
    assert res.returncode == 7, res.stderr
    server, seen_env, seen_args = ast.literal_eval(res.stdout.decode())
    assert seen_env == odd and seen_args == [b"--", odd, b""]
    assert server != os.getpid() and ended_soon(server)  # forked by a server, which ended with it


# Starts a server (a lingering client's), then sends it a request it must
# refuse, with the write end of a pipe: once refused, the server holds no
# copy of it, so the read end sees the end of the pipe.
REFUSED = """
import glob, os, select, socket, subprocess, sys
fork_server, directory, worker = sys.argv[1:]
subprocess.run([sys.executable, fork_server, "--linger=30", directory, worker], check=True,
               capture_output=True, timeout=20)
read_end, write_end = os.pipe()
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
os.chdir(directory)  # a deep tmp_path is longer than a socket path may be
conn.connect(glob.glob("*.sock")[0])
socket.send_fds(conn, [b"__import__('os').system('touch pwned')\\n"], [write_end, write_end, write_end])
os.close(write_end)
refused = conn.recv(100) == b""
ended = select.select([read_end], [], [], 10)[0] and os.read(read_end, 1) == b""
print(refused and bool(ended))
"""


def test_a_refused_request_is_not_evaluated_and_its_descriptors_are_closed(tmp_path):
    assert with_parent(tmp_path, REFUSED, "def main(args, started):\n    return 0\n") == "True\n"
    directory = tmp_path / "forks"
    assert not (tmp_path / "pwned").exists() and not (directory / "pwned").exists()
    assert "a request was refused" in "".join(p.read_text() for p in directory.glob("*.log"))


# Every start-up slot is held by a worker that sleeps in its start-up; a
# client that comes then waits for a slot, and is killed while it waits.
QUEUED = """
import os, subprocess, sys, time
fork_server, directory, worker = sys.argv[1:]
cpus = len(os.sched_getaffinity(0))
os.mkdir("marks")
subprocess.run([sys.executable, fork_server, "--linger=30", directory, worker, "linger"], check=True,
               capture_output=True, timeout=20)
holders = [subprocess.Popen([sys.executable, fork_server, directory, worker, "hold"]) for _ in range(cpus)]
deadline = time.monotonic() + 20
while len(os.listdir("marks")) < cpus and time.monotonic() < deadline:
    time.sleep(0.02)
queued = subprocess.Popen([sys.executable, fork_server, directory, worker, "hold"])
time.sleep(0.5)
queued.kill()
queued.wait()
for holder in holders:
    holder.wait(timeout=30)
print(len(os.listdir("marks")), cpus)
"""

HOLDING_WORKER = """
import os, time
def main(args, started):
    if args == ["hold"]:
        open(os.path.join("marks", str(os.getpid())), "w").close()
        time.sleep(3)  # longer than a slot is held for (2 s) without started()
    return 0
"""


def test_a_client_that_goes_while_it_waits_for_a_slot_gets_no_worker(tmp_path):
    started, cpus = with_parent(tmp_path, QUEUED, HOLDING_WORKER).split()
    assert started == cpus


def test_a_lingering_server_serves_the_next_worker_then_ends_with_it(tmp_path):
    said = lingering_run(tmp_path, "worker")
    # The client that asked to linger returned while its server waited on.
    assert said["lingered"], said
    assert said["worker_server"] == said["server"], said
    # A worker's client returns once the server has ended.
    assert said["gone_with_worker"], said


def test_a_lingering_server_ends_when_the_process_that_ran_discovery_does(tmp_path):
    said = lingering_run(tmp_path, "exit")
    assert said["lingered"], said
    # Asked to wait 30 s, it ends with its client's parent.
    assert ended_soon(said["server"]), said


PLUGIN = """
import os
imported_in = os.getpid()
def check(value):
    assert value == 2
"""


def test_installed_plugins_are_imported_once_by_the_server_and_still_rewritten(tmp_path):
    """The server imports the plugins pytest would load from entry points,
    through pytest's assertion rewriter: a worker neither imports them again
    nor loses their rewritten asserts, and pytest has nothing to warn about."""
    site = tmp_path / "site"
    info = site / "offload_demo_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (site / "offload_demo_plugin.py").write_text(PLUGIN)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: offload-demo-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pytest11]\ndemo = offload_demo_plugin\n")
    (info / "RECORD").write_text("offload_demo_plugin.py,,\n")
    project = project_with(tmp_path, {"test_plugin.py": """
        import os
        from offload_demo_plugin import check, imported_in
        def test_where(): print("IMPORTED", imported_in, os.getpid(), os.getppid())
        def test_check(): check(1)
    """}, parallel=2, fork=True)
    env = private_tmp(tmp_path) | {"PYTHONPATH": str(site)}
    res = run_offload(["run"], project, timeout=120, env=env)
    assert res.returncode == 1, res.stdout + res.stderr
    cases = junit_cases(project)
    failure = cases["tests/test_plugin.py::test_check"].find("failure")
    assert failure is not None and "assert 1 == 2" in failure.text, res.stdout
    out = cases["tests/test_plugin.py::test_where"].find("system-out").text
    imported_in, pid, ppid = map(int, out.split("IMPORTED ")[1].split()[:3])
    assert imported_in == ppid != pid, out
    logs = "".join(p.read_text() for p in (project / "test-results" / "logs").iterdir())
    assert "PytestAssertRewriteWarning" not in res.stderr + logs


def start_up_recorder(seconds):
    """A conftest that records when each worker began and ended importing it,
    taking `seconds` of its start-up."""
    return f"""
import os, sys, time
began = time.monotonic()
time.sleep({seconds})
if "OFFLOAD_SANDBOX_ID" in os.environ:  # a worker, not discovery
    os.makedirs("starts", exist_ok=True)
    with open("starts/%s-%d" % (os.environ["OFFLOAD_SANDBOX_ID"], os.getpid()), "w") as f:
        f.write("%f %f" % (began, time.monotonic()))
"""


def one_file_each(count):
    """Test files a sandbox each: the run starts every worker at once."""
    return {f"test_{i}.py": "def test_it(): pass\n" for i in range(count)}


def start_ups(project):
    """Each worker's start-up, and how many sandboxes had one (a sandbox may
    start a second worker later, for tests that came after its first ended)."""
    starts = list((project / "starts").iterdir())
    sandboxes = {p.name.rsplit("-", 1)[0] for p in starts}
    return sorted(tuple(map(float, p.read_text().split())) for p in starts), len(sandboxes)


def most_at_once(spans):
    edges = sorted([(b, 1) for b, _ in spans] + [(e, -1) for _, e in spans])
    inside = most = 0
    for _, step in edges:
        inside += step
        most = max(most, inside)
    return most


def test_forked_workers_start_up_at_most_one_per_cpu_at_a_time(tmp_path):
    cpus = len(os.sched_getaffinity(0))
    project = project_with(tmp_path, {"conftest.py": start_up_recorder(0.5), **one_file_each(cpus + 2)},
                           parallel=cpus + 2, fork=True)
    run_passing(project, private_tmp(tmp_path))
    spans, sandboxes = start_ups(project)
    assert sandboxes == cpus + 2, spans
    assert most_at_once(spans) <= cpus, spans


def test_a_start_up_that_takes_long_holds_the_next_worker_back_for_two_seconds_only(tmp_path):
    cpus = len(os.sched_getaffinity(0))
    project = project_with(tmp_path, {"conftest.py": start_up_recorder(4), **one_file_each(cpus + 1)},
                           parallel=cpus + 1, fork=True, per_test_timeout=30)
    run_passing(project, private_tmp(tmp_path))
    spans, sandboxes = start_ups(project)
    assert sandboxes == cpus + 1, spans
    assert most_at_once(spans) == cpus + 1, spans
