# SPDX-License-Identifier: MIT
"""Real OpenSSH servers for the ssh provider's tests.

Each host is an sshd with its own host key. As root, where network
namespaces work, each runs in a namespace of its own, reached over a veth
pair with addresses from 198.18.0.0/15 (reserved for testing); otherwise
(or with OFFLOAD_TEST_SSH_LOOPBACK=1) each listens on its own loopback port. The client key is made per fleet.
Nothing outside the namespaces and loopback is touched; `close()` removes
every process, namespace and link it made.
"""
import itertools
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from proc_tree import descendants

SSHD = "/usr/sbin/sshd"
_counter = itertools.count()


def _run(*argv, check=True):
    return subprocess.run(argv, capture_output=True, text=True, check=check)


def _keygen(path):
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "offload-test", "-f", str(path))


def namespaces_work():
    if os.geteuid() != 0:
        return False
    name = "offload-probe-%d" % os.getpid()
    link = "ofp%d" % (os.getpid() % 1000000)
    if _run("ip", "netns", "add", name, check=False).returncode != 0:
        return False
    works = _run("ip", "link", "add", link, "type", "veth", "peer", "name", link + "p", check=False).returncode == 0
    _run("ip", "link", "del", link, check=False)
    _run("ip", "netns", "del", name, check=False)
    return works


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(address, port, proc, log):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("sshd exited: " + Path(log).read_text(errors="replace"))
        try:
            with socket.create_connection((address, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("sshd on %s:%d did not start: %s" % (address, port, Path(log).read_text(errors="replace")))


class Host:
    """One sshd. `entry` is what goes into the provider's hosts list."""

    def __init__(self, fleet, index, authorized_keys, netns):
        self.dir = fleet.dir / ("host%d" % index)
        self.dir.mkdir()
        self.key = self.dir / "host_key"
        _keygen(self.key)
        self.netns = None
        self.link = None
        self.log = self.dir / "sshd.log"
        if netns:
            token = "%d%d" % (os.getpid() % 100000, next(_counter))
            self.netns = "offload-ssh-%s-%d" % (token, index)
            subnet = (os.getpid() * 16 + next(_counter) * 4 + index) % 32768
            base = 198 << 24 | 18 << 16
            outer = base + subnet * 4 + 1
            addr = lambda n: socket.inet_ntoa(n.to_bytes(4, "big"))
            self.address, outside = addr(outer + 1), addr(outer)
            self.port = 22
            self.link = "ofs%s%d" % (token[-8:], index)
            peer = self.link + "p"
            _run("ip", "netns", "add", self.netns)
            _run("ip", "link", "add", self.link, "type", "veth", "peer", "name", peer)
            _run("ip", "link", "set", peer, "netns", self.netns)
            _run("ip", "addr", "add", outside + "/30", "dev", self.link)
            _run("ip", "link", "set", self.link, "up")
            inside = ["ip", "netns", "exec", self.netns]
            _run(*inside, "ip", "addr", "add", self.address + "/30", "dev", peer)
            _run(*inside, "ip", "link", "set", peer, "up")
            _run(*inside, "ip", "link", "set", "lo", "up")
            self.entry = "%s@%s" % (fleet.user, self.address)
            self.known_host = self.address
        else:
            self.address, self.port = "127.0.0.1", _free_port()
            inside = []
            self.entry = "%s@%s:%d" % (fleet.user, self.address, self.port)
            self.known_host = "[%s]:%d" % (self.address, self.port)
        self.home = self.dir / "home"
        self.home.mkdir()
        config = self.dir / "sshd_config"
        config.write_text("\n".join([
            "Port %d" % self.port,
            "ListenAddress %s" % self.address,
            "HostKey %s" % self.key,
            "AuthorizedKeysFile %s" % authorized_keys,
            "PidFile none",
            "StrictModes no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "PermitRootLogin prohibit-password",
            "MaxSessions 64",
            "MaxStartups 64:30:128",
            "LogLevel INFO",
            # A clean home, so the login shell reads no dotfiles of this machine's account.
            "SetEnv HOME=%s" % self.home,
            "",
        ]))
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.proc = subprocess.Popen([*inside, SSHD, "-f", str(config), "-D", "-e", "-E", str(self.log)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.address, self.port, self.proc, self.log)

    def known_hosts_line(self):
        kind, key = (self.dir / "host_key.pub").read_text().split()[:2]
        return "%s %s %s\n" % (self.known_host, kind, key)

    def logins(self):
        return self.log.read_text(errors="replace").count("Accepted publickey")

    def kill(self):
        """The host drops: its sshd, every session and every command on it die at once."""
        if self.netns:
            pids = _run("ip", "netns", "pids", self.netns, check=False).stdout.split()
            victims = [int(p) for p in pids]
        else:
            victims = [self.proc.pid] + [p for p, _, _, _ in descendants(self.proc.pid)] if self.proc.poll() is None else []
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=10)

    def close(self):
        if self.proc.poll() is None:
            self.kill()
        if self.link:
            _run("ip", "link", "del", self.link, check=False)
        if self.netns:
            _run("ip", "netns", "del", self.netns, check=False)


class Fleet:
    """`count` sshd hosts that accept the fleet's client key, plus a known_hosts file for them."""

    def __init__(self, directory, count, netns=None):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.user = _run("id", "-un").stdout.strip()
        self.client_key = self.dir / "client_key"
        _keygen(self.client_key)
        self.authorized_keys = self.dir / "authorized_keys"
        self.authorized_keys.write_text((self.dir / "client_key.pub").read_text())
        if netns is None:
            netns = os.environ.get("OFFLOAD_TEST_SSH_LOOPBACK") != "1" and namespaces_work()
        self.netns = netns
        self.hosts = []
        try:
            for i in range(count):
                self.add_host()
        except BaseException:
            self.close()
            raise
        self.known_hosts = self.dir / "known_hosts"
        self.known_hosts.write_text("".join(h.known_hosts_line() for h in self.hosts))

    def add_host(self, authorized_keys=None):
        host = Host(self, len(self.hosts), authorized_keys or self.authorized_keys, self.netns)
        self.hosts.append(host)
        return host

    def close(self):
        for host in self.hosts:
            host.close()
