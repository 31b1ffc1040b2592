# SPDX-License-Identifier: MIT
"""Every relative link of the project's Markdown reaches a file that exists
and, when it names a heading (`FILE.md#anchor` or `#anchor`), a heading
that file has: sections get renumbered, and a link to the old number
still renders, to nowhere."""
import functools
import os
import re
from pathlib import Path

import pytest

SOURCE = Path(os.environ["OFFLOAD_SOURCE_ROOT"])
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def markdown_files():
    files = [SOURCE / "README.md", *sorted((SOURCE / "docs").glob("*.md"))]
    files += sorted(p for p in (SOURCE / "examples").rglob("*.md") if "node_modules" not in p.parts)
    return [p for p in files if p.is_file()]


def prose_lines(path):
    """(line number, line) outside fenced code blocks."""
    inside = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            inside = not inside
        elif not inside:
            yield number, line


@functools.cache  # one parse per page, however many links point into it
def anchors(path):
    """The anchors GitHub gives the headings of a Markdown file."""
    seen = {}
    out = set()
    for _, line in prose_lines(path):
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", lambda g: g.group(1) or "", m.group(1))
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        out.add(slug if count == 0 else "%s-%d" % (slug, count))
    return out


def relative_links(path):
    for number, line in prose_lines(path):
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):
                yield number, target


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_relative_links_reach_a_file_and_a_heading(page):
    broken = []
    for number, target in relative_links(page):
        file_part, _, anchor = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        where = "%s:%d: %s" % (page.relative_to(SOURCE), number, target)
        if not dest.exists():
            broken.append(where + " (no such file)")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(where + " (no such heading)")
    assert not broken, "\n".join(broken)


def test_the_anchors_follow_githubs_rules(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n## 7. ssh fleet\n```\n## not a heading\n```\n"
                    "## `bench/run`: P = 8\n## Title\n")
    assert anchors(page) == {"title", "7-ssh-fleet", "benchrun-p--8", "title-1"}
