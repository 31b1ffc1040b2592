# SPDX-License-Identifier: MIT
"""The ssh provider against real OpenSSH servers (see sshd_fleet.py): the
example pytest project over three hosts, a host that dies mid-run, and one
clear error per misconfigured host while the others go on."""
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import OFFLOAD, SOURCE, junit_cases, run_offload, verdict
from sshd_fleet import Fleet
from test_fork_server import ended_soon

pytestmark = pytest.mark.plugins("provider_local", "provider_ssh", "framework_pytest")

PYTHON = "/usr/bin/python3"


@pytest.fixture
def fleet(tmp_path):
    fleet = Fleet(tmp_path / "fleet", 3)
    yield fleet
    fleet.close()


def toml_list(values):
    return "[" + ", ".join('"%s"' % v for v in values) + "]"


def ssh_provider(fleet, hosts, work_root, extra=""):
    return f"""
[provider]
type = "ssh"
hosts = {toml_list(hosts)}
slots = 2
identity_file = "{fleet.client_key}"
known_hosts = "{fleet.known_hosts}"
work_root = "{work_root}"
connect_timeout_secs = 5
{extra}
"""


def pytest_project(dest, state):
    """A copy of examples/pytest whose .state/ (the flaky test's memory) is `state`,
    so every host's copy of the project shares it, as one machine's copy would."""
    shutil.copytree(SOURCE / "examples" / "pytest", dest,
                    ignore=shutil.ignore_patterns(".state", "test-results", "__pycache__", ".pytest_cache"))
    state.mkdir()
    (dest / ".state").symlink_to(state)
    return dest


def with_provider(project, provider, parallel=6):
    text = (project / "offload.toml").read_text()
    text = re.sub(r'\[provider\]\ntype = "local"\n', provider.strip() + "\n", text)
    text = re.sub(r"max_parallel = \d+", "max_parallel = %d" % parallel, text)
    (project / "offload.toml").write_text(text)


def verdicts(project):
    return {test_id: verdict(tc) for test_id, tc in junit_cases(project).items()}


def test_example_over_three_hosts_gives_the_local_verdicts(fleet, tmp_path):
    local = pytest_project(tmp_path / "local", tmp_path / "local-state")
    res = run_offload(["run"], local)
    assert res.returncode == 1, res.stdout + res.stderr  # the example has a real failure
    expected = verdicts(local)

    project = pytest_project(tmp_path / "remote", tmp_path / "remote-state")
    (project / ".git").mkdir()
    (project / ".git" / "secret").write_text("not for the hosts")
    (project / "test-results").mkdir()
    (project / "test-results" / "old").write_text("stale")
    data = tmp_path / "data"
    data.mkdir()
    (data / "table.csv").write_text("a,b\n")
    work = tmp_path / "work"
    with_provider(project, ssh_provider(fleet, [h.entry for h in fleet.hosts], work,
                                        'copy_dirs = ["%s:fixtures/data"]' % data))
    res = run_offload(["run"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    assert verdicts(project) == expected
    assert "flaky" in expected.values() and "failed" in expected.values()

    # Each host got the project once over its one connection, and ran sandboxes.
    assert [h.logins() for h in fleet.hosts] == [1, 1, 1], res.stderr
    copies = sorted(work.glob("project-*"))
    assert len(copies) == 3
    for copy in copies:
        assert (copy / "tests" / "test_basics.py").is_file()
        assert (copy / "fixtures" / "data" / "table.csv").read_text() == "a,b\n"
        assert not (copy / ".git").exists() and not (copy / "test-results").exists()
    # Every sandbox directory, and each run's directory, is gone.
    assert not list(work.glob("run-*"))
    assert not masters_of(fleet), "a master connection outlived the run"


def masters_of(fleet):
    """The multiplexing ssh processes still running for this fleet's hosts."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            argv = Path("/proc", entry, "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if argv[0] != "ssh" or not any(a.startswith("ControlPath=") for a in argv):
            continue
        if any(h.address in argv and (h.port == 22 or str(h.port) in argv) for h in fleet.hosts):
            found.append(entry)
    return found


SLEEPY = """
import os, time, pytest
@pytest.mark.parametrize("n", range(18))
def test_sleepy(n):
    server = "_".join(os.environ.get("SSH_CONNECTION", "? ? local ?").split()[2:])
    open(os.path.join(os.environ["MARKS"], "%s-%d" % (server, n)), "w").close()
    time.sleep(1.5)
"""


def marking_project(fleet, tmp_path, files, retry):
    """A pytest project over all of the fleet's hosts, 6 sandboxes, whose
    tests leave files in the returned MARKS directory."""
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    for name, text in files.items():
        (project / "tests" / name).write_text(text)
    marks = tmp_path / "marks"
    marks.mkdir()
    (project / "offload.toml").write_text(f"""
[offload]
max_parallel = 6
test_timeout_secs = 60

{ssh_provider(fleet, [h.entry for h in fleet.hosts], tmp_path / "work", 'env = { MARKS = "%s" }' % marks)}

[framework]
type = "pytest"
python = "{PYTHON}"
run_args = ["-p", "no:cacheprovider"]

[groups.all]
retry_count = {retry}
""")
    return project, marks


def test_a_host_that_dies_mid_run_loses_its_sandboxes_not_its_tests(fleet, tmp_path):
    project, marks = marking_project(fleet, tmp_path, {"test_sleepy.py": SLEEPY}, retry=1)
    victim = fleet.hosts[1]
    env = dict(os.environ)
    env.pop("CI", None)
    proc = subprocess.Popen([str(OFFLOAD), "run"], cwd=project, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        mark = "%s_%d-" % (victim.address, victim.port)
        while not any(m.name.startswith(mark) for m in marks.iterdir()):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("no test started on the victim: " + "".join(proc.communicate()))
            time.sleep(0.05)
        victim.kill()
        out, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, out + err
    results = verdicts(project)
    assert len(results) == 18
    assert set(results.values()) == {"passed"}, results
    assert re.search(r"ssh host '%s' \(hosts\[1\]\) lost its connection" % re.escape(victim.entry), err), err
    others = ["%s_%d" % (h.address, h.port) for h in fleet.hosts if h is not victim]
    assert any(m.name.split("-")[0] in others for m in marks.iterdir())


FORKED = """
import os, time, pytest
@pytest.mark.parametrize("n", range(3))
def test_forked(n):
    server = "_".join(os.environ["SSH_CONNECTION"].split()[2:])
    with open("/proc/%d/cmdline" % os.getppid(), "rb") as f:
        parent = f.read().decode(errors="replace")
    with open(os.path.join(os.environ["MARKS"], "%s-%s-%d" % (server, __name__, n)), "w") as f:
        f.write("%d %s" % (os.getppid(), parent))
    time.sleep(0.3)
"""


def test_each_host_forks_its_workers_from_a_server_of_its_own(fleet, tmp_path):
    files = {"test_forked_%d.py" % i: FORKED for i in range(6)}
    project, marks = marking_project(fleet, tmp_path, files, retry=0)
    res = run_offload(["run"], project)
    assert res.returncode == 0, res.stdout + res.stderr
    assert len(verdicts(project)) == 18
    servers = {}  # host -> the pids its workers were forked from
    for mark in marks.iterdir():
        ppid, parent = mark.read_text().split(" ", 1)
        assert "offload_pytest_forkserver.py" in parent, (mark.name, parent)
        servers.setdefault(mark.name.split("-")[0], set()).add(int(ppid))
    assert len(servers) == 3, servers
    # One server per host, none shared: the hosts share this machine's file
    # system, and a host's workers must not live in another host's session.
    assert all(len(pids) == 1 for pids in servers.values()), servers
    assert len(set.union(*servers.values())) == 3, servers
    for pid in set.union(*servers.values()):
        assert ended_soon(pid), "fork server %d outlived the run" % pid


def test_each_broken_host_is_named_and_the_others_go_on(fleet, tmp_path):
    # Refuses our key: a server that authorizes another key only.
    other_keys = tmp_path / "other_keys"
    other_keys.write_text("")
    refusing = fleet.add_host(authorized_keys=other_keys)
    # A server whose host key is not in known_hosts.
    unknown = fleet.add_host()
    known = fleet.known_hosts.read_text() + refusing.known_hosts_line()
    fleet.known_hosts.write_text(known)
    with socket_closed() as port:
        unreachable = "%s@127.0.0.1:%d" % (fleet.user, port)
        malformed = "root@bad host:22"
        project = pytest_project(tmp_path / "project", tmp_path / "state")
        hosts = [fleet.hosts[0].entry, refusing.entry, unknown.entry, malformed, unreachable]
        with_provider(project, ssh_provider(fleet, hosts, tmp_path / "work"), parallel=2)
        res = run_offload(["run", "--parallel", "2"], project)
    err = res.stderr
    assert res.returncode == 1, res.stdout + err
    assert "not-run" not in verdicts(project).values()
    assert re.search(r"ssh host '%s' \(hosts\[1\]\): cannot connect: .*Permission denied.*refused the key"
                     % re.escape(refusing.entry), err), err
    assert re.search(r"ssh host '%s' \(hosts\[2\]\): cannot connect: Host key verification failed.*strict"
                     % re.escape(unknown.entry), err), err
    assert re.search(r"ssh host 'root@bad host:22' \(hosts\[3\]\): malformed host entry", err), err
    assert re.search(r"ssh host '%s' \(hosts\[4\]\): cannot connect: .*Connection refused" % re.escape(unreachable),
                     err), err
    assert fleet.hosts[0].logins() == 1 and refusing.logins() == 0 and unknown.logins() == 0


def test_no_usable_host_fails_the_run_naming_each(fleet, tmp_path):
    with socket_closed() as port:
        project = pytest_project(tmp_path / "project", tmp_path / "state")
        entry = "%s@127.0.0.1:%d" % (fleet.user, port)
        with_provider(project, ssh_provider(fleet, [entry], tmp_path / "work"))
        res = run_offload(["run"], project)
    assert res.returncode != 0
    assert "no ssh host could be used" in res.stderr and entry in res.stderr, res.stderr
    assert not (project / "test-results" / "junit.xml").exists() or \
        "passed" not in verdicts(project).values()


def test_hosts_file_entries_are_named_by_line(fleet, tmp_path):
    project = pytest_project(tmp_path / "project", tmp_path / "state")
    hosts_file = tmp_path / "hosts.txt"
    hosts_file.write_text("# the fleet\n%s\n\nnobody@:0\n" % fleet.hosts[0].entry)
    with_provider(project, ssh_provider(fleet, [], tmp_path / "work", 'hosts_file = "%s"' % hosts_file))
    res = run_offload(["validate"], project)
    assert "ssh host 'nobody@:0' (%s:4): malformed host entry" % hosts_file in res.stderr, res.stdout + res.stderr


class socket_closed:
    """A loopback port with nothing listening on it (while the context lasts)."""

    def __enter__(self):
        import socket
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]

    def __exit__(self, *exc):
        self.sock.close()


HANGS = """
import os, time
def test_hangs():
    open(os.path.join(os.environ["MARKS"], "started-%d" % os.getpid()), "w").close()
    time.sleep(300)
"""


def test_a_timed_out_command_is_killed_on_its_host(fleet, tmp_path):
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_hangs.py").write_text(HANGS)
    marks = tmp_path / "marks"
    marks.mkdir()
    (project / "offload.toml").write_text(f"""
[offload]
max_parallel = 1
test_timeout_secs = 3

{ssh_provider(fleet, [fleet.hosts[0].entry], tmp_path / "work", 'env = {{ MARKS = "%s" }}' % marks)}

[framework]
type = "pytest"
python = "{PYTHON}"
run_args = ["-p", "no:cacheprovider"]

[groups.all]
retry_count = 0
""".replace("{{", "{").replace("}}", "}"))
    res = run_offload(["run"], project, timeout=120)
    assert res.returncode != 0, res.stdout + res.stderr
    assert verdicts(project) == {"tests/test_hangs.py::test_hangs": "failed"}
    pids = [int(m.name.split("-")[1]) for m in marks.iterdir()]
    assert pids, "the test never started"
    # The pytest process on the host was killed, not left sleeping (a zombie
    # waiting for its reaper counts as gone).
    deadline = time.monotonic() + 10
    while [p for p in pids if running(p)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if running(p)]


def running(pid):
    try:
        return Path("/proc", str(pid), "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
