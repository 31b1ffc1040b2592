#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# /// script
# requires-python = ">=3.9"
# dependencies = ["modal>=1.4"]
# ///
"""Modal sandboxes for offload: a thin, stateless wrapper over the modal SDK.

    modal_sandbox.py prepare [DOCKERFILE] [--include-cwd] [--copy-dir=LOCAL:REMOTE]... [--no-cache]
    modal_sandbox.py create IMAGE_ID
    modal_sandbox.py exec SANDBOX_ID COMMAND     (stdin is passed on to COMMAND)
    modal_sandbox.py download SANDBOX_ID REMOTE:LOCAL...
    modal_sandbox.py destroy SANDBOX_ID

Results (an image or sandbox ID) are the last line of standard output; logs
go to standard error. `prepare` keeps the ID of the base image (Debian slim
with pytest, or DOCKERFILE) in .offload-image-cache and reuses it unless --no-cache is
given or OFFLOAD_NO_CACHE is set; the current directory and the copied
directories are added on top afresh every time.
"""
import argparse
import hashlib
import os
import posixpath
import sys
import threading

APP_NAME = "offload-sandbox"
WORKDIR = "/app"
SANDBOX_LIFETIME_SECS = 3600
CACHE_FILE = ".offload-image-cache"
# What the default image adds to Debian slim; a Dockerfile brings its own.
DEFAULT_PACKAGES = ["pytest"]
# Left out of the image, in .dockerignore syntax, besides .dockerignore's own.
IGNORED = [".git", "test-results", "**/__pycache__", CACHE_FILE]

sys.dont_write_bytecode = True


class UsageError(Exception):
    """A malformed argument; reported as one line, exit status 1."""


def log(message):
    print("modal_sandbox.py: " + message, file=sys.stderr, flush=True)


def answer(value):
    print(value, flush=True)


def load_modal():
    try:
        import modal
        import modal.exception
    except ImportError:
        log("the modal package is missing: run this script with `uv run`, or `pip install modal`")
        sys.exit(1)
    return modal


def base_key(dockerfile):
    """What the cached base image was built from."""
    if not dockerfile:
        return "debian_slim"
    with open(dockerfile, "rb") as f:
        return "dockerfile:" + hashlib.sha256(f.read()).hexdigest()


def read_cache(key):
    try:
        with open(CACHE_FILE) as f:
            fields = f.read().split()
    except OSError:
        return None
    if len(fields) == 2 and fields[0].startswith("im-") and fields[1] == key:
        return fields[0]
    return None


def write_cache(image_id, key):
    temp = CACHE_FILE + ".tmp"
    with open(temp, "w") as f:
        f.write(image_id + " " + key + "\n")
    os.replace(temp, CACHE_FILE)


def ignore_patterns():
    patterns = list(IGNORED)
    try:
        with open(".dockerignore") as f:
            patterns += [line.strip() for line in f if line.strip() and not line.startswith("#")]
    except OSError:
        pass
    return patterns


def split_pair(spec, what):
    first, sep, second = spec.partition(":")
    if not sep or not first or not second:
        raise UsageError("%s '%s' is not %s" % (what[0], spec, what[1]))
    return first, second


def base_image(modal, app, args, no_cache):
    key = base_key(args.dockerfile)
    cached = None if no_cache else read_cache(key)
    if cached:
        try:
            image = modal.Image.from_id(cached)
            image.hydrate()
            log("reusing the cached base image %s (%s)" % (cached, CACHE_FILE))
            return image
        except modal.exception.NotFoundError:
            log("the cached base image %s is gone; building it again" % cached)
    if args.dockerfile:
        image = modal.Image.from_dockerfile(args.dockerfile)
    else:
        image = modal.Image.debian_slim().pip_install(*DEFAULT_PACKAGES)
    log("building the base image")
    image.build(app)
    write_cache(image.object_id, key)
    return image


def cmd_prepare(args):
    if args.dockerfile and not os.path.isfile(args.dockerfile):
        log("Dockerfile %s does not exist" % args.dockerfile)
        return 1
    copies = []
    for spec in args.copy_dir:
        local, remote = split_pair(spec, ("--copy-dir", "LOCAL:REMOTE"))
        if not os.path.isdir(local):
            log("--copy-dir %s: %s is not a directory" % (spec, local))
            return 1
        copies.append((os.path.abspath(local), remote))
    modal = load_modal()
    app = modal.App.lookup(APP_NAME, create_if_missing=True)
    no_cache = args.no_cache or bool(os.environ.get("OFFLOAD_NO_CACHE"))
    image = base = base_image(modal, app, args, no_cache)
    if args.include_cwd:
        image = image.add_local_dir(os.getcwd(), WORKDIR, copy=True, ignore=ignore_patterns())
    for local, remote in copies:
        image = image.add_local_dir(local, remote, copy=True, ignore=IGNORED)
    if image is not base:
        log("adding the project files")
        image.build(app)
    answer(image.object_id)
    return 0


def cmd_create(args):
    modal = load_modal()
    app = modal.App.lookup(APP_NAME, create_if_missing=True)
    try:
        image = modal.Image.from_id(args.image_id)
        sandbox = modal.Sandbox.create(app=app, image=image, workdir=WORKDIR, timeout=SANDBOX_LIFETIME_SECS)
    except modal.exception.NotFoundError as e:
        log("image %s was not found (it may have been removed; run with --no-cache): %s" % (args.image_id, e))
        return 1
    answer(sandbox.object_id)
    return 0


def forward(stream, out):
    for line in stream:
        out.write(line if line.endswith("\n") else line + "\n")
        out.flush()


def feed(source, stdin):
    """Passes each line of our stdin on to the sandbox process as it arrives,
    then EOF; a process that stopped reading ends the feed quietly."""
    try:
        for line in iter(source.readline, b""):
            stdin.write(line)
            stdin.drain()
        stdin.write_eof()
        stdin.drain()
    except Exception as e:  # the process is gone; its exit status tells why
        log("stdin not passed on: %s" % e)


def cmd_exec(args):
    modal = load_modal()
    sandbox = modal.Sandbox.from_id(args.sandbox_id)
    process = sandbox.exec("bash", "-c", args.command, bufsize=1)
    threading.Thread(target=feed, args=(sys.stdin.buffer, process.stdin), daemon=True).start()
    threads = [threading.Thread(target=forward, args=(process.stdout, sys.stdout), daemon=True),
               threading.Thread(target=forward, args=(process.stderr, sys.stderr), daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    code = process.wait()
    if code is None:
        return 1
    return code if code >= 0 else 128 - code


def cmd_download(args):
    modal = load_modal()
    sandbox = modal.Sandbox.from_id(args.sandbox_id)
    for spec in args.paths:
        remote, local = split_pair(spec, ("download", "REMOTE:LOCAL"))
        if not remote.startswith("/"):
            remote = posixpath.join(WORKDIR, remote)
        try:
            data = sandbox.filesystem.read_bytes(remote)
        except modal.exception.SandboxFilesystemNotFoundError:
            log("%s does not exist in sandbox %s" % (remote, args.sandbox_id))
            return 1
        parent = os.path.dirname(os.path.abspath(local))
        os.makedirs(parent, exist_ok=True)
        with open(local, "wb") as f:
            f.write(data)
    return 0


def cmd_destroy(args):
    modal = load_modal()
    try:
        modal.Sandbox.from_id(args.sandbox_id).terminate()
    except modal.exception.NotFoundError:
        log("sandbox %s is already gone" % args.sandbox_id)
    return 0


def parser():
    p = argparse.ArgumentParser(prog="modal_sandbox.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="subcommand", required=True)
    prepare = sub.add_parser("prepare", help="build an image; prints its ID")
    prepare.add_argument("dockerfile", nargs="?", help="Dockerfile to build (default: Debian slim)")
    prepare.add_argument("--include-cwd", action="store_true", help="add the current directory at " + WORKDIR)
    prepare.add_argument("--copy-dir", action="append", default=[], metavar="LOCAL:REMOTE",
                         help="add a local directory at REMOTE (repeatable)")
    prepare.add_argument("--no-cache", action="store_true", help="build the base image afresh")
    prepare.set_defaults(run=cmd_prepare)
    create = sub.add_parser("create", help="create a sandbox; prints its ID")
    create.add_argument("image_id")
    create.set_defaults(run=cmd_create)
    run = sub.add_parser("exec", help="run a command with bash -c, stdin passed on; exits with its status")
    run.add_argument("sandbox_id")
    run.add_argument("command")
    run.set_defaults(run=cmd_exec)
    download = sub.add_parser("download", help="copy files out of a sandbox")
    download.add_argument("sandbox_id")
    download.add_argument("paths", nargs="+", metavar="REMOTE:LOCAL")
    download.set_defaults(run=cmd_download)
    destroy = sub.add_parser("destroy", help="terminate a sandbox")
    destroy.add_argument("sandbox_id")
    destroy.set_defaults(run=cmd_destroy)
    return p


def main():
    args = parser().parse_args()
    try:
        return args.run(args)
    except UsageError as e:
        log(str(e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
