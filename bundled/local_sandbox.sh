#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Sandboxes for offload's `default` provider that are private copies of a
# project on this machine, under $TMPDIR (else /tmp):
#
#   local_sandbox.sh prepare [--copy-dir=LOCAL:REMOTE]...
#       snapshot the current directory (and LOCAL at the relative path
#       REMOTE inside it); prints the snapshot, the "image"
#   local_sandbox.sh create [IMAGE]
#       copy IMAGE, else the current directory, into a new sandbox; prints
#       the sandbox, a directory holding project/ (the copy) and tmp/
#   local_sandbox.sh exec SANDBOX COMMAND
#       run COMMAND with sh -c in SANDBOX/project, with TMPDIR=SANDBOX/tmp
#   local_sandbox.sh download SANDBOX REMOTE:LOCAL...
#       copy files out; a relative REMOTE starts in SANDBOX/project
#   local_sandbox.sh destroy SANDBOX
#       remove SANDBOX (only ever an offload-sandbox-* directory of $TMPDIR)
#
# Copies leave out test-results/, .git/, target/ and __pycache__/. Snapshots
# are kept until removed: they are the offload-image-* directories of $TMPDIR.
set -eu

me=local_sandbox.sh

die() {
  printf '%s: %s\n' "$me" "$*" >&2
  exit 1
}

# $TMPDIR without trailing slashes; /tmp unless it is an absolute path.
temp_root() {
  root=${TMPDIR:-/tmp}
  case $root in
  /*) ;;
  *) root=/tmp ;;
  esac
  while [ "$root" != / ] && [ "${root%/}" != "$root" ]; do
    root=${root%/}
  done
  printf '%s\n' "$root"
}

# Fails unless $2 is a directory named $1XXXXXX right inside the temp root.
check_own_dir() {
  root=$(temp_root)
  case $2 in
  "$root"/"$1"*) ;;
  *) die "refusing '$2': not an $1* directory of $root" ;;
  esac
  case ${2#"$root"/} in
  */* | *..*) die "refusing '$2': not an $1* directory of $root" ;;
  esac
  if [ ! -d "$2" ] || [ -L "$2" ]; then
    die "no such sandbox directory: $2"
  fi
}

# Copies the contents of directory $1 into the existing directory $2,
# through a pipe rather than an archive file: eight sandboxes made at once
# each save a temporary file, its removal and the wait between the tars.
# The writing tar's status comes out on fd 3: a pipeline's status is the
# reading tar's alone.
copy_tree() {
  written=$({ {
    tar -cf - --exclude=./test-results --exclude=./.git --exclude=./target \
      --exclude=__pycache__ --exclude='./offload-sandbox-*' --exclude='./offload-image-*' -C "$1" . 3>&-
    echo $? >&3
  } | tar -xf - -C "$2" 3>&-; } 3>&1) && [ "$written" = 0 ] || die "cannot copy $1 to $2"
}

# Removes a directory tree, read-only parts included.
remove_tree() {
  chmod -R u+w -- "$1" 2>/dev/null || true
  rm -rf -- "$1"
}

cmd_prepare() {
  image=$(mktemp -d "$(temp_root)/offload-image-XXXXXX")
  trap 'remove_tree "$image"' EXIT
  copy_tree . "$image"
  for arg in "$@"; do
    case $arg in
    --copy-dir=*) spec=${arg#--copy-dir=} ;;
    *) die "prepare: unknown argument '$arg'" ;;
    esac
    from=${spec%%:*}
    to=${spec#*:}
    if [ "$spec" = "$from" ] || [ -z "$from" ] || [ -z "$to" ]; then
      die "--copy-dir '$spec' is not LOCAL:REMOTE"
    fi
    case $to in
    /* | .. | ../* | */../* | */..) die "--copy-dir '$spec': REMOTE must be a path inside the project copy" ;;
    esac
    [ -d "$from" ] || die "--copy-dir '$spec': $from is not a directory"
    mkdir -p -- "$image/$to"
    copy_tree "$from" "$image/$to"
  done
  trap - EXIT
  printf '%s\n' "$image"
}

cmd_create() {
  [ $# -le 1 ] || die "usage: $me create [IMAGE]"
  source=.
  if [ $# -eq 1 ] && [ -n "$1" ]; then
    check_own_dir offload-image- "$1"
    source=$1
  fi
  sandbox=$(mktemp -d "$(temp_root)/offload-sandbox-XXXXXX")
  trap 'remove_tree "$sandbox"' EXIT
  mkdir -- "$sandbox/project" "$sandbox/tmp"
  copy_tree "$source" "$sandbox/project"
  trap - EXIT
  printf '%s\n' "$sandbox"
}

cmd_exec() {
  [ $# -eq 2 ] || die "usage: $me exec SANDBOX COMMAND"
  check_own_dir offload-sandbox- "$1"
  cd -- "$1/project"
  TMPDIR=$1/tmp
  export TMPDIR
  exec sh -c "$2"
}

cmd_download() {
  [ $# -ge 2 ] || die "usage: $me download SANDBOX REMOTE:LOCAL..."
  check_own_dir offload-sandbox- "$1"
  sandbox=$1
  shift
  for spec in "$@"; do
    remote=${spec%%:*}
    target=${spec#*:}
    if [ "$spec" = "$remote" ] || [ -z "$remote" ] || [ -z "$target" ]; then
      die "'$spec' is not REMOTE:LOCAL"
    fi
    case $remote in
    /*) from=$remote ;;
    *) from=$sandbox/project/$remote ;;
    esac
    [ -f "$from" ] || die "$remote does not exist in sandbox $sandbox"
    cp -- "$from" "$target"
  done
}

cmd_destroy() {
  [ $# -eq 1 ] || die "usage: $me destroy SANDBOX"
  check_own_dir offload-sandbox- "$1"
  remove_tree "$1"
}

[ $# -ge 1 ] || die "usage: $me prepare|create|exec|download|destroy ..."
command=$1
shift
case $command in
prepare) cmd_prepare "$@" ;;
create) cmd_create "$@" ;;
exec) cmd_exec "$@" ;;
download) cmd_download "$@" ;;
destroy) cmd_destroy "$@" ;;
*) die "unknown command '$command' (expected prepare, create, exec, download or destroy)" ;;
esac
