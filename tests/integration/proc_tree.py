# SPDX-License-Identifier: MIT
"""The processes below a process, read from /proc."""
from pathlib import Path


def descendants(pid):
    """Every live process below `pid` (orphans of a subreaper count), parents
    before their children: (pid, depth, wait channel, command line)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            wchan = (entry / "wchan").read_text()
        except (OSError, ValueError):
            continue
        children.setdefault(ppid, []).append((int(entry.name), wchan, command.strip()))
    found, todo = [], [(pid, 0)]
    while todo:
        parent, depth = todo.pop()
        for child, wchan, command in children.get(parent, []):
            found.append((child, depth, wchan, command))
            todo.append((child, depth + 1))
    return found
