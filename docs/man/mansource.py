# SPDX-License-Identifier: MIT
"""Reads a man page source (docs/man/*.md): a small markdown dialect that
both the roff writer and the completion writer understand.

    % NAME SECTION "FOOTER" "HEADER"     the title line
    # SECTION / ## SUBSECTION           headings
    TERM                                a definition: the term on one line,
    : text, continued by lines           the text after ": ", continued by
      indented two spaces                indented lines
    ``` ... ```                         a literal block
    other lines                         paragraphs, split by blank lines

Inline: `code`, **bold**, *italic*.
"""
import re
import shlex
from dataclasses import dataclass, field


@dataclass
class Block:
    kind: str            # "section", "subsection", "para", "term", "literal"
    text: str = ""
    body: str = ""       # a term's definition
    section: str = ""    # the enclosing section and subsection
    subsection: str = ""


@dataclass
class Page:
    title: list
    blocks: list = field(default_factory=list)


def parse(text, values):
    """The page, with each @KEY@ of `values` replaced first."""
    for key, value in values.items():
        text = text.replace("@" + key + "@", value)
    lines = text.splitlines()
    if not lines or not lines[0].startswith("% "):
        raise ValueError("the first line must be the title line: % NAME SECTION ...")
    page = Page(shlex.split(lines[0][2:]))
    section = subsection = ""
    i = 1
    para = []

    def add(kind, text="", body=""):
        page.blocks.append(Block(kind, text, body, section, subsection))

    def flush():
        if para:
            add("para", " ".join(para))
            para.clear()

    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            flush()
            subsection = line[3:].strip()
            add("subsection", subsection)
        elif line.startswith("# "):
            flush()
            section, subsection = line[2:].strip(), ""
            add("section", section)
        elif line.startswith("```"):
            flush()
            end = lines.index("```", i + 1)
            add("literal", "\n".join(lines[i + 1:end]))
            i = end
        elif not line.strip():
            flush()
        elif i + 1 < len(lines) and lines[i + 1].startswith(": ") and not para:
            body = [lines[i + 1][2:]]
            i += 2
            while i < len(lines) and lines[i].startswith("  "):
                body.append(lines[i].strip())
                i += 1
            add("term", line.strip(), " ".join(body))
            continue
        else:
            para.append(line.strip())
        i += 1
    flush()
    return page


INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*")


def spans(text):
    """[(style, text)] of a line: style is "code", "bold", "italic" or ""."""
    out, pos = [], 0
    for m in INLINE.finditer(text):
        if m.start() > pos:
            out.append(("", text[pos:m.start()]))
        style = "code" if m.group(1) else "bold" if m.group(2) else "italic"
        out.append((style, m.group(1) or m.group(2) or m.group(3)))
        pos = m.end()
    if pos < len(text):
        out.append(("", text[pos:]))
    return out


def plain(text):
    """The text without markup."""
    return "".join(t for _, t in spans(text))
