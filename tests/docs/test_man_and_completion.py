# SPDX-License-Identifier: MIT
"""The generated man pages render without warnings and name every command,
flag and config key the real binary and config reader have; the generated
bash completion offers what `offload --help` lists and the plugin types
`offload plugins` finds."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

BUILD = Path(os.environ["OFFLOAD_BUILD_ROOT"])
SOURCE = Path(os.environ["OFFLOAD_SOURCE_ROOT"])
OFFLOAD = BUILD / "core" / "offload"
MAN = BUILD / "docs" / "man"


def offload(*args):
    return subprocess.run([str(OFFLOAD), *args], capture_output=True, text=True, check=True).stdout


def help_commands():
    text = offload("--help")
    block = text.split("commands:\n")[1].split("\n\n")[0]
    return [line.split()[0] for line in block.splitlines()]


def help_flags(command):
    """The flags `offload COMMAND --help` lists as the command's own."""
    text = offload(command, "--help")
    block = text.split(command + " options:\n")[1].split("\n\n")[0]
    flags = []
    for line in block.splitlines():
        m = re.match(r"\s+(?:(-\w) \[ (--[\w-]+) \]|(--[\w-]+))", line)
        if m:
            flags += [f for f in m.groups() if f]
    return flags


def rendered(page):
    res = subprocess.run(["man", "-l", str(MAN / page)], capture_output=True, text=True,
                         env=dict(os.environ, MANWIDTH="200", MANPAGER="cat", PAGER="cat"))
    assert res.returncode == 0, res.stderr
    # groff may render a roff \- as U+2212 and break words with U+2010.
    return res.stdout.replace("\u2212", "-").replace("\u2010", "-")


@pytest.mark.parametrize("page", ["offload.1", "offload.toml.5"])
def test_man_page_renders_without_warnings(page):
    res = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(MAN / page)], capture_output=True, text=True)
    assert res.returncode == 0 and res.stderr == "", res.stderr
    assert "NAME" in rendered(page)


def test_offload_1_names_every_command_and_flag():
    text = rendered("offload.1")
    commands = help_commands()
    assert len(commands) >= 6
    for command in commands:
        assert re.search(r"^   " + command + "$", text, re.M), command
        for flag in help_flags(command):
            assert re.search(r"(^|\s|,)" + re.escape(flag) + r"\b", text), (command, flag)


def test_offload_toml_5_names_every_config_key():
    load = (SOURCE / "core" / "config" / "load.cpp").read_text()
    keys = [k for call in re.findall(r"check_keys\(\{([^}]*)\}", load) for k in re.findall(r'"(\w+)"', call)]
    assert "max_parallel" in keys and "retry_count" in keys
    text = rendered("offload.toml.5")
    for key in keys:
        assert re.search(r"^\s+" + key + " = ", text, re.M), key


def complete(*words):
    """What the generated bash completion offers for `offload WORDS...` (the last word is the one completed)."""
    script = ('source "$1"; shift; COMP_WORDS=(offload "$@"); COMP_CWORD=$#; _offload; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    env = dict(os.environ, PATH=f"{OFFLOAD.parent}:{os.environ['PATH']}")
    res = subprocess.run(["bash", "-c", script, "bash", str(MAN / "offload"), *words], capture_output=True,
                         text=True, env=env, check=True)
    return sorted(filter(None, res.stdout.splitlines()))


def test_bash_completion_offers_the_commands_of_help():
    assert complete("") == sorted(help_commands())
    assert complete("co") == ["collect"]


def test_bash_completion_offers_each_commands_flags_and_the_global_ones():
    global_flags = {"--config", "--plugin-dir", "--verbose", "--help", "--version"}
    for command in help_commands():
        long_flags = {f for f in help_flags(command) if f.startswith("--")}
        assert set(complete(command, "--")) == long_flags | global_flags, command
    # A flag's value: the words it takes, and nothing where it takes free text.
    assert complete("run", "--schedule", "") == ["dynamic", "static"]
    assert complete("-c", "x.toml", "collect", "-f", "") == ["json", "text"]
    assert complete("run", "-p", "") == []


def test_bash_completion_offers_the_installed_plugin_types():
    listed = offload("plugins")
    for kind, flag in [("provider", "-p"), ("framework", "-f")]:
        types = sorted(set(re.findall(r"^  " + kind + r"\s+(\S+)", listed, re.M)))
        assert complete("init", flag, "") == types
    # The build's own plugins are found, so the lists above were not empty by accident.
    built = os.environ.get("OFFLOAD_TEST_PLUGINS", "")
    if "framework_default" in built:
        assert "default" in complete("init", "--framework", "")


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed (scripts/setup installs it)")
def test_zsh_completion_parses_and_lists_the_commands_of_help():
    path = MAN / "_offload"
    res = subprocess.run(["zsh", "-n", str(path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    listed = re.findall(r"^    '(\w+):", path.read_text(), re.M)
    assert listed == help_commands()
