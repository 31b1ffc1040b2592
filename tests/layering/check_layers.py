#!/usr/bin/env python3
"""Fails when an include goes against the layers: plugins/ reaching into
core/, or a core area including an area above it (which is how two areas
end up including each other)."""
import pathlib
import re
import sys

# Lowest first: an area may include only areas before it in this list.
CORE_LAYERS = ["util", "process", "model", "config", "plugin", "report", "engine", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def includes(path):
    return INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace"))


def main(root):
    root = pathlib.Path(root)
    problems = []
    sources = lambda d: [p for p in d.rglob("*") if p.suffix in (".c", ".cpp", ".h", ".hpp")]
    for path in sources(root / "plugins"):
        for inc in includes(path):
            first = pathlib.PurePosixPath(inc).parts[0]
            resolved = (path.parent / inc).resolve()
            if first in CORE_LAYERS or root / "core" in resolved.parents:
                problems.append(f"{path.relative_to(root)}: includes \"{inc}\" from core/; plugins see only the SDK")
    rank = {area: i for i, area in enumerate(CORE_LAYERS)}
    for path in sources(root / "core"):
        rel = path.relative_to(root / "core")
        if len(rel.parts) < 2:
            continue  # main.cpp sits above every area
        area = rel.parts[0]
        if area == "pch":
            # Included ahead of every core file, so below every area: system
            # and library headers only.
            problems += [f"core/{rel}: the precompiled header includes \"{inc}\"; only <...> headers belong there"
                         for inc in includes(path)]
            continue
        if area not in rank:
            problems.append(f"core/{rel}: area '{area}' is not in the layer list of {__file__}")
            continue
        for inc in includes(path):
            target = pathlib.PurePosixPath(inc).parts[0]
            if target in rank and rank[target] > rank[area]:
                problems.append(f"core/{rel}: '{area}' includes \"{inc}\" from '{target}', a layer above it")
    for p in problems:
        print(p)
    print(f"{len(problems)} layering problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
