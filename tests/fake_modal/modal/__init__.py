# SPDX-License-Identifier: MIT
"""A local stand-in for the part of the `modal` SDK that modal_sandbox.py uses.

Images are directory snapshots and sandboxes private copies of them, kept
under $FAKE_MODAL_STATE (default ${TMPDIR:-/tmp}/fake-modal) so that IDs
work across processes, as Modal's do. A sandbox's files hold the paths the
image adds (/app, copied directories) plus a private /tmp; commands run in
bubblewrap with those mounted over an otherwise unchanged view of this
machine. Only the calls and arguments the script makes are supported;
anything else fails loudly instead of pretending.
"""
import fnmatch
import json
import os
import secrets
import shutil
import signal
import subprocess
from pathlib import Path

from . import exception

__all__ = ["App", "Image", "Sandbox", "exception"]

_SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _state(kind):
    root = os.environ.get("FAKE_MODAL_STATE") or os.path.join(os.environ.get("TMPDIR") or "/tmp", "fake-modal")
    path = Path(root) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def _new_id(prefix):
    return prefix + "-" + secrets.token_hex(8)


def _ignored(relative, patterns):
    """A simplified .dockerignore match: a path goes when it, or a directory
    above it, matches a pattern; "**/" matches any depth."""
    parts = relative.split("/")
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        for pattern in patterns:
            pattern = pattern.strip("/")
            if pattern.startswith("**/"):
                if fnmatch.fnmatchcase(parts[depth - 1], pattern[3:]):
                    return True
            elif fnmatch.fnmatchcase(prefix, pattern):
                return True
    return False


def _copy_dir(source, dest, patterns):
    source = Path(source)

    def ignore(directory, names):
        relative = Path(directory).relative_to(source).as_posix()
        base = "" if relative == "." else relative + "/"
        return [n for n in names if _ignored(base + n, patterns)]

    shutil.copytree(source, dest, symlinks=True, ignore=ignore, dirs_exist_ok=True)


def _remove_tree(path):
    for directory, dirs, _ in os.walk(path):
        for d in dirs:
            try:
                os.chmod(os.path.join(directory, d), 0o700)
            except OSError:
                pass
    shutil.rmtree(path, ignore_errors=True)


def _inside(root, remote_path):
    """Where an absolute sandbox path lives in `root`."""
    if not remote_path.startswith("/"):
        raise exception.InvalidError("remote path %r must be absolute" % remote_path)
    relative = os.path.normpath(remote_path).lstrip("/")
    return Path(root) / relative


class App:
    def __init__(self, name, app_id):
        self.name = name
        self.app_id = app_id

    @staticmethod
    def lookup(name, *, create_if_missing=False, environment_name=None, client=None):
        record = _state("apps") / name
        if not record.exists():
            if not create_if_missing:
                raise exception.NotFoundError("app %r not found" % name)
            record.write_text(_new_id("ap"))
        return App(name, record.read_text().strip())


class Image:
    """A recipe: a base (Debian slim, a Dockerfile or a built ID) and layers:
    local directories, or packages (a layer without files, since sandboxes
    run this machine's programs). Copied directories become part of the
    built snapshot; the others, like Modal's mounts, only reach sandboxes
    created from this very object."""

    def __init__(self, base, parent=None, layer=None, object_id=None):
        self._base = base
        self._parent = parent
        self._layer = layer
        self._object_id = object_id

    @staticmethod
    def debian_slim(python_version=None):
        return Image(("debian_slim", python_version))

    @staticmethod
    def from_dockerfile(path, *, context_dir=None, force_build=False):
        if not os.path.isfile(path):
            raise exception.InvalidError("Dockerfile %s does not exist" % path)
        return Image(("dockerfile", os.path.abspath(path)))

    @staticmethod
    def from_id(image_id, client=None):
        return Image(("id", image_id), object_id=image_id)

    def pip_install(self, *packages):
        return Image(self._base, parent=self)

    def add_local_dir(self, local_path, remote_path, *, copy=False, ignore=()):
        if not os.path.isdir(local_path):
            raise exception.InvalidError("local directory %s does not exist" % local_path)
        if not str(remote_path).startswith("/"):
            raise exception.InvalidError("remote_path %r must be absolute" % remote_path)
        if callable(ignore):
            raise exception.InvalidError("the fake takes ignore patterns, not a function")
        layer = (os.path.abspath(local_path), os.path.normpath(str(remote_path)), bool(copy), list(ignore))
        return Image(self._base, parent=self, layer=layer)

    @property
    def object_id(self):
        if self._object_id is None:
            raise exception.InvalidError("the image has no ID before it is built")
        return self._object_id

    def hydrate(self, client=None):
        self._snapshot()
        return self

    def build(self, app):
        if app is None or app.app_id is None:
            raise exception.InvalidError("App has not been initialized yet")
        self._snapshot()
        return self

    def _startup_layers(self):
        """The uncopied layers, outermost last."""
        if self._parent is None:
            return []
        layers = self._parent._startup_layers()
        if self._layer is not None and not self._layer[2]:
            layers.append(self._layer)
        return layers

    def _snapshot(self):
        """The directory of the built image, built now if need be, and the
        sandbox paths its layers added."""
        if self._object_id is not None:
            path = _state("images") / self._object_id
            if not path.is_dir():
                raise exception.NotFoundError("image %s not found" % self._object_id)
            return path, json.loads(path.with_suffix(".json").read_text())["paths"]
        if self._parent is None:
            return self._save([], lambda path: path.mkdir())
        parent, paths = self._parent._snapshot()
        if self._layer is None:
            return self._save(paths, lambda path: shutil.copytree(parent, path, symlinks=True))
        if not self._layer[2]:
            self._object_id = self._parent._object_id
            return parent, paths
        local, remote, _, patterns = self._layer

        def fill(path):
            shutil.copytree(parent, path, symlinks=True)
            _copy_dir(local, _inside(path, remote), patterns)

        return self._save(paths + [remote], fill)

    def _save(self, paths, fill):
        image_id = _new_id("im")
        path = _state("images") / image_id
        fill(path)
        path.with_suffix(".json").write_text(json.dumps({"paths": paths}))
        self._object_id = image_id
        return path, paths


class _StreamReader:
    def __init__(self, pipe, text):
        self._pipe = pipe
        self._end = "" if text else b""

    def __iter__(self):
        return iter(self._pipe.readline, self._end)

    def read(self):
        return self._pipe.read()


class _StreamWriter:
    """Modal's StreamWriter: write() queues bytes or text, drain() sends
    them, write_eof() closes the process's stdin."""

    def __init__(self, pipe, text):
        self._pipe = pipe.buffer if text else pipe

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("data must be bytes or str, got %r" % type(data))
        self._pipe.write(data)

    def drain(self):
        if not self._pipe.closed:  # after write_eof there is nothing left to send
            self._pipe.flush()

    def write_eof(self):
        self._pipe.close()


class ContainerProcess:
    def __init__(self, popen, text):
        self._popen = popen
        self.stdin = _StreamWriter(popen.stdin, text)
        self.stdout = _StreamReader(popen.stdout, text)
        self.stderr = _StreamReader(popen.stderr, text)

    @property
    def returncode(self):
        return self._exit_code(self._popen.returncode)

    def poll(self):
        return self._exit_code(self._popen.poll())

    def wait(self):
        return self._exit_code(self._popen.wait())

    @staticmethod
    def _exit_code(code):
        return 128 - code if code is not None and code < 0 else code


class _SandboxFilesystem:
    def __init__(self, sandbox):
        self._sandbox = sandbox

    def read_bytes(self, remote_path):
        path = self._sandbox._local_path(remote_path)
        if path.is_dir():
            raise exception.SandboxFilesystemIsADirectoryError(remote_path)
        if not path.is_file():
            raise exception.SandboxFilesystemNotFoundError("%s does not exist" % remote_path)
        return path.read_bytes()


def _covered(path, places):
    return any(path == place or path.startswith(place + "/") for place in places)


def _places(root, paths):
    """The sandbox paths served from the sandbox's own files: /app, /tmp,
    new top-level directories, and the directories the image's layers added
    under paths this machine has (bound over them, so nothing is created on
    the machine itself)."""
    places = ["/app", "/tmp"]
    for name in sorted(os.listdir(root)):
        if not os.path.lexists("/" + name) and "/" + name not in places:
            places.append("/" + name)
    for path in paths:
        if _covered(path, places):
            continue
        if not os.path.isdir(path):
            raise exception.InvalidError("the fake can only add %s to a sandbox where this machine has that "
                                         "directory, or under a top-level directory it lacks" % path)
        places.append(path)
    return places


class Sandbox:
    def __init__(self, sandbox_id):
        self._id = sandbox_id
        self._dir = _state("sandboxes") / sandbox_id
        self.filesystem = _SandboxFilesystem(self)

    @staticmethod
    def create(*args, app=None, image=None, workdir=None, timeout=300, env=None, **unsupported):
        if args or unsupported:
            raise exception.InvalidError("the fake does not support %r %r" % (args, sorted(unsupported)))
        if app is None or app.app_id is None:
            raise exception.InvalidError("Sandbox.create needs an app")
        image = image if image is not None else Image.debian_slim()
        snapshot, paths = image._snapshot()
        sandbox_id = _new_id("sb")
        home = _state("sandboxes") / sandbox_id
        root = home / "root"
        try:
            shutil.copytree(snapshot, root, symlinks=True)
            for local, remote, _, patterns in image._startup_layers():
                _copy_dir(local, _inside(root, remote), patterns)
                paths = paths + [remote]
            for private in ("app", "tmp"):
                (root / private).mkdir(exist_ok=True)
            places = _places(root, paths)
            (home / "pids").mkdir()
            (home / "meta.json").write_text(json.dumps({"workdir": workdir or "/", "env": env or {},
                                                        "places": places}))
        except BaseException:
            _remove_tree(home)
            raise
        return Sandbox(sandbox_id)

    @staticmethod
    def from_id(sandbox_id, client=None):
        if "/" in sandbox_id or not (_state("sandboxes") / sandbox_id / "meta.json").is_file():
            raise exception.NotFoundError("sandbox %s not found" % sandbox_id)
        return Sandbox(sandbox_id)

    @property
    def object_id(self):
        return self._id

    def _meta(self):
        try:
            return json.loads((self._dir / "meta.json").read_text())
        except OSError:
            raise exception.NotFoundError("sandbox %s was terminated" % self._id) from None

    def _local_path(self, remote_path):
        path = os.path.normpath(remote_path)
        if _covered(path, self._meta()["places"]):
            return _inside(self._dir / "root", path)
        return Path(path)

    def _bwrap(self, argv, workdir, places):
        root = self._dir / "root"
        command = ["bwrap", "--die-with-parent"]
        for name in sorted(os.listdir("/")):
            path = "/" + name
            if path in places:
                continue
            if os.path.islink(path):
                command += ["--symlink", os.readlink(path), path]
            elif name == "dev":
                command += ["--dev-bind", path, path]
            elif os.path.isdir(path):
                command += ["--bind", path, path]
        # Shorter paths first, so a deeper bind lands on top of its parent's.
        for place in sorted(places, key=len):
            command += ["--bind", str(_inside(root, place)), place]
        return command + ["--chdir", workdir, "--"] + list(argv)

    def exec(self, *args, workdir=None, env=None, text=True, bufsize=-1, timeout=None, **unsupported):
        if not args or unsupported:
            raise exception.InvalidError("the fake does not support exec(%r, %r)" % (args, sorted(unsupported)))
        meta = self._meta()
        variables = {"PATH": _SANDBOX_PATH, "HOME": "/tmp", "LANG": "C.UTF-8"}
        variables.update(meta["env"])
        variables.update(env or {})
        popen = subprocess.Popen(self._bwrap(args, workdir or meta["workdir"], meta["places"]),
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=variables, text=text, bufsize=bufsize if text else -1)
        (self._dir / "pids" / str(popen.pid)).touch()
        return ContainerProcess(popen, text)

    def terminate(self):
        self._meta()
        for pid_file in (self._dir / "pids").iterdir():
            pid = int(pid_file.name)
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    ours = str(self._dir).encode() in f.read()
                if ours:
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _remove_tree(self._dir)
