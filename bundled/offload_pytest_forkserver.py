# SPDX-License-Identifier: MIT
"""Starts offload's pytest worker by forking it from a server that imported
pytest once, so the workers of a run on one machine pay pytest's imports
(a third of a second of CPU each) once rather than once per worker.

    python offload_pytest_forkserver.py [--linger=SECS] DIR WORKER [WORKER ARGS...]

DIR is a private directory (this user's, mode 0700) that the workers of one
run share; OFFLOAD_SHARED_DIR, when the provider sets it to such a
directory, takes its place (the ssh provider names one on each host). The
server listens there on a socket named after all that decides what an
interpreter imports (this interpreter, its flags and path, HOME and the
PYTHON*/PYTEST* variables, the worker's source), so workers that would
import differently get servers of their own. This process hands the server
its stdin, stdout and stderr, arguments, environment, working directory and
umask; the server forks the worker with them, in a process group of its
own, and this process stands in for it: it passes on the signals it gets
and exits with the worker's status. The server ends when its last worker
has, and the last client returns once it has ended.

``--linger=SECS`` (offload's discovery, which runs before or beside the
workers of the run) keeps the server for the workers to come: after the
last job it waits up to SECS for another client, and no longer than this
process's parent (offload) lives. The first worker's client ends the
lingering; the client that asked for it returns at once.

Without a usable directory (DIR of another machine, another user's, or
reached over ssh without OFFLOAD_SHARED_DIR) or a server that answers,
this process becomes the worker itself (exec), as if it had never been
here. Standard library only; the server needs Linux.

Every worker's start waits for this client's interpreter, eight at once on
a machine of two CPUs: it imports only what starts without Python code of
its own (json, hashlib and socket took 18 of its 30 ms of CPU), and the
server imports the rest.
"""
import os
import stat
import sys
import time

try:  # CPython's modules under signal and socket, without their enums
    import _signal as signal
    import _socket as raw_socket
except ImportError:
    import signal
    import socket as raw_socket

_REQUEST_LIMIT = 16 << 20
# How long a worker's start-up may keep its slot: the slots order the
# start-ups, they must not hold a worker back behind one that hangs.
_START_SLOT_SECS = 2.0
_FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def _private(directory):
    try:
        st = os.lstat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077 == 0


def _sha256():
    for module in ("_sha2", "_sha256"):  # no OpenSSL to load, unlike hashlib's
        try:
            return __import__(module).sha256()
        except ImportError:
            pass
    import hashlib

    return hashlib.sha256()


def _key(worker):
    digest = _sha256()
    with open(worker, "rb") as source:
        digest.update(source.read())
    environment = sorted((k, v) for k, v in os.environ.items() if k.startswith(("PYTHON", "PYTEST")))
    for part in (sys.executable, sys.flags, sorted(sys._xoptions.items()), sys.warnoptions, sys.path[1:],
                 os.environ.get("HOME"), environment):
        digest.update(repr(part).encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()[:24]


def _exec_worker(worker, args):
    interpreter = sys.orig_argv[:len(sys.orig_argv) - len(sys.argv)] or [sys.executable]
    os.execv(sys.executable, interpreter + [worker] + args)


def _connect(path):
    conn = raw_socket.socket(raw_socket.AF_UNIX, raw_socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None
    return conn


def _start_server(directory, key, path, worker):
    """Connects to the server for `key`, starting it first when there is none.
    Whoever holds the lock starts it, so concurrent first workers share one."""
    import fcntl

    lock = os.open(os.path.join(directory, key + ".lock"), os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        conn = _connect(path)
        if conn is not None:
            return conn
        ready_read, ready_write = os.pipe()
        if os.fork() == 0:
            # Nothing of the client's (its directory descriptor, the lock)
            # stays open in the server, or in the workers it forks.
            os.closerange(3, ready_write)
            os.closerange(ready_write + 1, os.sysconf("SC_OPEN_MAX"))
            # A worker forked by this server exits through this frame: its
            # descriptor number may be another file's by then.
            lock = None
            _serve(directory, key, worker, ready_write)
        os.close(ready_write)
        listening = os.read(ready_read, 1)
        os.close(ready_read)
        return _connect(path) if listening else None
    finally:
        if lock is not None:
            os.close(lock)


def _serve(directory, key, worker, ready_fd):
    """The server's life, in a session of its own; never returns, except in
    a forked worker, which runs the worker and exits as a script would."""
    job = None
    try:
        os.setsid()
        log = os.open(os.path.join(directory, key + ".log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(devnull)
        os.close(log)
        os.chdir(directory)
        job = Server(key + ".sock", worker, ready_fd).run()
    except BaseException:
        import traceback

        traceback.print_exc()
    if job is None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    raise SystemExit(job.run())


def _run_through(conn, directory, worker, args, linger):
    """The worker's exit status, or None when the server went away before it
    started the worker (the caller tries again)."""
    request = {"worker": worker, "args": args, "cwd": os.getcwd(), "umask": os.umask(0o22),
               "env": {k: v for k, v in os.environ.items()}}
    if linger:
        request["linger"] = {"secs": linger, "pid": os.getppid()}
    os.umask(request["umask"])
    # A Python literal, not JSON: the server reads it with ast.literal_eval.
    # repr escapes line breaks and lone surrogates, so it is one ASCII-safe line.
    payload = repr(request).encode("utf-8") + b"\n"
    answers = _Answers(conn)
    try:
        fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))
        sent = conn.sendmsg([payload], [(raw_socket.SOL_SOCKET, raw_socket.SCM_RIGHTS, fds)])
        conn.sendall(payload[sent:])
        if not answers.readline().startswith(b"started "):
            return None
    except OSError:
        return None

    def forward(signum, _frame):
        try:
            conn.sendall(b"signal %d\n" % signum)
        except OSError:
            pass

    for signum in _FORWARDED:
        signal.signal(signum, forward)
    line = answers.readline()
    if line.startswith(b"exit "):
        answers.wait_closed()  # the server closes its end at once, or as it exits
        return int(line.split()[1])
    sys.stderr.write("offload fork server: it ended while the worker ran; see %s\n" %
                     os.path.join(directory, "*.log"))
    return 1


class _Answers:
    """The server's lines, read from a socket without socket.makefile."""

    def __init__(self, conn):
        self.conn = conn
        self.buffer = b""

    def readline(self):
        while b"\n" not in self.buffer:
            more = self.conn.recv(4096)
            if not more:
                line, self.buffer = self.buffer, b""
                return line
            self.buffer += more
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"

    def wait_closed(self):
        while self.conn.recv(4096):
            pass


def _server_directory(directory):
    """Where this machine's server listens, or None for no server."""
    # The provider's directory for the run's sandboxes on this machine
    # (the ssh provider's on each host) comes first: DIR is the directory
    # of the machine offload runs on.
    shared = os.environ.get("OFFLOAD_SHARED_DIR")
    if shared and _private(shared):
        return shared
    # Over ssh DIR may exist here by chance (hosts that share a file system
    # or are namespaces of one machine): one host's workers must not depend
    # on a server another host's session started.
    if "SSH_CONNECTION" in os.environ or not _private(directory):
        return None
    return directory


def _open_standard_fds():
    """/dev/null for each of fds 0-2 that is closed (a discovery started
    without stdin): they are handed to the server, and a descriptor this
    process opens must not land on one of them."""
    for fd in range(3):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def client(directory, worker, args, linger=0.0):
    _open_standard_fds()
    directory = _server_directory(directory)
    if directory is None:
        _exec_worker(worker, args)
    key = _key(worker)
    # Reached through a descriptor of the directory: a socket's path may
    # have at most 107 bytes, and TMPDIR can be long.
    directory_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    path = "/proc/self/fd/%d/%s.sock" % (directory_fd, key)
    for _ in range(3):
        conn = _connect(path) or _start_server(directory, key, path, worker)
        if conn is None:
            break
        try:
            status = _run_through(conn, directory, worker, args, linger)
        finally:
            conn.close()
        if status is not None:
            return status
    _exec_worker(worker, args)


class Job:
    """What a forked child runs: the worker, with the client's world."""

    def __init__(self, module, request, started_fd):
        self.module = module
        self.request = request
        self.started_fd = started_fd

    def run(self):
        import tempfile

        request = self.request
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        os.environ.clear()
        os.environ.update(request["env"])
        tempfile.tempdir = None  # the server's TMPDIR is another sandbox's
        sys.argv = [request["worker"]] + request["args"]
        return self.module.main(request["args"], started=self._started)

    def _started(self):
        """Gives the server back this worker's start-up slot."""
        if self.started_fd is not None:
            os.close(self.started_fd)
            self.started_fd = None


class Server:
    def __init__(self, path, worker, ready_fd):
        self.path = path  # relative to the directory, its working directory
        self.worker = worker
        self.ready_fd = ready_fd
        self.children = {}  # pidfd -> [pid, conn or None]
        self.last_conn = None  # the last client's, left for exit to close
        self.conns = {}  # conn fd -> (conn, pidfd)
        # Workers start (import, configure, collect) at most one per CPU at
        # a time: eight started together on two CPUs all become ready at the
        # end; one after the other, the first ones run tests meanwhile.
        self.slots = max(1, len(os.sched_getaffinity(0)))
        self.starting = {}  # read end of a starting worker's pipe -> when its slot lapses
        self.waiting = []  # (conn, request, fds) of accepted clients without a slot yet
        self.linger_for = None  # (secs, pid) a discovery asked to linger for, until a worker comes
        self.worker_came = False
        self.lingering = None  # (deadline, pidfd of the lingering client's parent)

    def run(self):
        """None once the last worker has ended, or, in a forked child, its Job."""
        import selectors

        import socket

        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.path)
        self.inode = os.stat(self.path).st_ino
        listener.listen(64)
        os.write(self.ready_fd, b"1")
        os.close(self.ready_fd)
        module = self._preload()
        # What the server imported stays out of the collector's reach: a
        # worker's collections, and its exit, would otherwise touch (and so
        # copy) every page of it; that made each forked worker's exit take
        # 0.3 s longer than an unforked one's.
        import gc

        gc.freeze()
        selector = selectors.DefaultSelector()
        selector.register(listener, selectors.EVENT_READ)
        served = False
        while self.children or self.waiting or self.lingering or not served:
            events = selector.select(timeout=self._select_timeout(served))
            if not events and not served:
                break  # started for a client that never came
            for key, _ in events:
                if self.lingering and key.fd == self.lingering[1]:
                    self._stop_lingering(selector)  # offload has gone
                elif key.fileobj is listener:
                    if listener.fileno() >= 0:
                        self._accept(listener, selector)
                        served = True
                elif key.fd in self.starting:
                    self._free_slot(key.fd, selector)
                elif key.fd in self.children:
                    self._reap(key.fd, selector, listener)
                elif key.fd in self.conns:
                    self._client_said(key.fd, selector)
            now = time.monotonic()
            for fd in [fd for fd, lapses in self.starting.items() if lapses <= now]:
                self._free_slot(fd, selector)
            if self.lingering and self.lingering[0] <= now:
                self._stop_lingering(selector)
            job = self._start_waiting(listener, selector, module)
            if job is not None:
                return job
        self._stop_listening(listener)
        return None

    def _select_timeout(self, served):
        deadlines = list(self.starting.values()) + ([self.lingering[0]] if self.lingering else [])
        if deadlines:
            return max(0.0, min(deadlines) - time.monotonic())
        return None if served else 30

    def _start_lingering(self, selector):
        import selectors

        secs, pid = self.linger_for
        self.linger_for = None
        try:
            if pid <= 1:
                raise ProcessLookupError(pid)
            pidfd = os.pidfd_open(pid)
        except OSError:
            return  # offload has gone already
        self.lingering = (time.monotonic() + secs, pidfd)
        selector.register(pidfd, selectors.EVENT_READ)

    def _stop_lingering(self, selector):
        self.linger_for = None
        if self.lingering:
            selector.unregister(self.lingering[1])
            os.close(self.lingering[1])
            self.lingering = None

    def _free_slot(self, fd, selector):
        """A starting worker said it is ready, or ended, or took too long."""
        selector.unregister(fd)
        os.close(fd)
        del self.starting[fd]

    def _preload(self):
        import importlib
        import importlib.util

        spec = importlib.util.spec_from_file_location("offload_pytest_worker", self.worker)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        # What pytest.main imports anyway: its own plugins and the installed ones.
        import _pytest.config

        for name in _pytest.config.default_plugins:
            try:
                importlib.import_module("_pytest." + name)
            except Exception:
                pass
        import ctypes  # noqa: F401 (each forked worker's first import)

        try:
            self._preload_installed_plugins()
        except Exception:
            pass  # another pytest's internals: each worker imports them itself
        return module

    @staticmethod
    def _preload_installed_plugins():
        """Imports the installed plugins (entry points "pytest11") as pytest.main
        does, through its assertion rewriter: a worker then finds them imported
        and rewritten, and pytest does not warn that it could not rewrite them."""
        if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
            return
        import importlib.metadata

        import _pytest.assertion
        import _pytest.config

        config = _pytest.config.get_config()
        config.inicfg = {}  # no ini file: the rewriter takes pytest's defaults
        try:
            config._mark_plugins_for_rewrite(_pytest.assertion.install_importhook(config))
            for dist in importlib.metadata.distributions():
                for entry in dist.entry_points:
                    if entry.group == "pytest11":
                        try:
                            entry.load()
                        except Exception:
                            pass
        finally:
            config._ensure_unconfigure()  # takes the rewriter off sys.meta_path

    def _accept(self, listener, selector):
        """Queues a client's request for a start-up slot."""
        import ast
        import socket

        conn, _ = listener.accept()
        conn.settimeout(10)
        fds = []
        try:
            data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
            while not data.endswith(b"\n") and len(data) < _REQUEST_LIMIT:
                more = conn.recv(1 << 16)
                if not more:
                    break
                data += more
            request = ast.literal_eval(data.decode("utf-8"))
            if not isinstance(request, dict):
                raise ValueError("not a request: %r" % data[:100])
            if len(fds) != 3:
                raise ValueError("expected 3 descriptors, got %d" % len(fds))
            linger = request.get("linger")
            if linger is not None:
                linger = (min(float(linger["secs"]), 30.0), int(linger["pid"]))
        except (OSError, ValueError, TypeError, KeyError, SyntaxError, MemoryError, RecursionError) as e:
            sys.stderr.write("offload fork server: a request was refused: %s\n" % e)
            _drop_request(conn, fds)
            return
        if linger is None:
            # The workers have come: the rules of a server without lingering apply again.
            self.worker_came = True
            self._stop_lingering(selector)
        elif not self.worker_came and not self.lingering:
            self.linger_for = linger
        self.waiting.append((conn, request, fds))

    def _start_waiting(self, listener, selector, module):
        """Forks the waiting workers there are slots for; in a child, its Job."""
        import selectors

        while self.waiting and len(self.starting) < self.slots:
            conn, request, fds = self.waiting.pop(0)
            if _hung_up(conn):
                # Its client went while it waited for a slot (offload stopped
                # that sandbox): a worker would only start up for nobody.
                _drop_request(conn, fds)
                continue
            started_read, started_write = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                os.close(started_read)
                self._become_worker(listener, selector, conn, fds)
                return Job(module, request, started_write)
            os.close(started_write)
            self.starting[started_read] = time.monotonic() + _START_SLOT_SECS
            selector.register(started_read, selectors.EVENT_READ)
            self._track(pid, conn, fds, selector)
        return None

    def _track(self, pid, conn, fds, selector):
        import selectors

        for fd in fds:
            os.close(fd)
        conn.setblocking(False)
        pidfd = os.pidfd_open(pid)
        self.children[pidfd] = [pid, conn]
        self.conns[conn.fileno()] = (conn, pidfd)
        selector.register(pidfd, selectors.EVENT_READ)
        selector.register(conn, selectors.EVENT_READ)
        try:
            conn.sendall(b"started %d\n" % pid)
        except OSError:
            self._client_gone(conn.fileno(), selector)

    def _become_worker(self, listener, selector, conn, fds):
        os.setpgid(0, 0)
        # The worker goes with the server (which goes with the run).
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        for pidfd, (_, other) in self.children.items():
            os.close(pidfd)
            if other is not None:
                other.close()
        for fd in self.starting:
            os.close(fd)
        if self.lingering:
            os.close(self.lingering[1])
        for other, _, other_fds in self.waiting:
            other.close()
            for fd in other_fds:
                os.close(fd)
        selector.close()
        listener.close()
        conn.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        for signum in _FORWARDED:
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def _client_said(self, fd, selector):
        conn, pidfd = self.conns[fd]
        try:
            data = conn.recv(4096)
        except BlockingIOError:
            return None
        except OSError:
            data = b""
        if not data:
            return self._client_gone(fd, selector)
        for line in data.split(b"\n"):
            if line.startswith(b"signal "):
                self._signal_group(self.children[pidfd][0], int(line.split()[1]))

    def _client_gone(self, fd, selector):
        """A client that goes (killed with its process group) takes its worker along."""
        conn, pidfd = self.conns.pop(fd)
        selector.unregister(conn)
        conn.close()
        self.children[pidfd][1] = None
        self._signal_group(self.children[pidfd][0], signal.SIGKILL)

    def _reap(self, pidfd, selector, listener):
        pid, conn = self.children[pidfd]
        reaped, status = os.waitpid(pid, os.WNOHANG)
        if reaped == 0:
            return  # a stale event for a descriptor number since reused
        del self.children[pidfd]
        selector.unregister(pidfd)
        os.close(pidfd)
        code = os.waitstatus_to_exitcode(status)
        # As offload does for a process it runs: nothing of its group outlives it.
        self._signal_group(pid, signal.SIGKILL)
        last = not self.children and not self.waiting
        if last and self.linger_for:
            self._start_lingering(selector)
        last = last and not self.lingering
        if last:
            self._stop_listening(listener)
        if conn is not None:
            self.conns.pop(conn.fileno())
            selector.unregister(conn)
            try:
                conn.setblocking(True)
                conn.sendall(b"exit %d\n" % (code if code >= 0 else 128 - code))
            except OSError:
                pass
            # The last client learns it is done when the server has exited
            # (its end of the socket closes then): the run may end as soon
            # as that client does, and must find no server still running.
            if last:
                self.last_conn = conn
            else:
                conn.close()

    def _stop_listening(self, listener):
        if listener.fileno() < 0:
            return
        try:
            if os.stat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        except OSError:
            pass
        listener.close()

    @staticmethod
    def _signal_group(pid, signum):
        try:
            os.killpg(pid, signum)
        except OSError:
            pass


def _drop_request(conn, fds):
    """Closes a request that gets no worker, and the client's descriptors it brought."""
    conn.close()
    for fd in fds:
        os.close(fd)


def _hung_up(conn):
    """Whether the client at the other end of `conn` has gone."""
    import select
    import socket

    poller = select.poll()  # not select.select: a server of many workers may hold fds past 1023
    poller.register(conn, select.POLLIN)
    if not poller.poll(0):
        return False
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _main(argv):
    linger = 0.0
    if argv and argv[0].startswith("--linger="):
        linger = float(argv.pop(0)[len("--linger="):])
    return client(argv[0], argv[1], argv[2:], linger)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
