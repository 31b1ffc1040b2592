#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a man page (roff, man macros) from its source in docs/man.

usage: manpage.py SOURCE OUTPUT [KEY=VALUE...]   (each @KEY@ is replaced)
"""
import sys

import mansource

FONT = {"code": "\\fB", "bold": "\\fB", "italic": "\\fI", "": ""}


def escape(text, literal=False):
    text = text.replace("\\", "\\e")
    if literal:
        # Options and commands copy-paste as typed: an ASCII hyphen-minus.
        text = text.replace("-", "\\-")
    return text


def inline(text):
    out = []
    for style, part in mansource.spans(text):
        body = escape(part, literal=style == "code")
        out.append(FONT[style] + body + "\\fR" if style else body)
    return "".join(out)


def line_safe(text):
    # A line that starts with a dot or quote would be read as a request.
    return "\\&" + text if text[:1] in (".", "'") else text


def roff(page):
    name, section, *rest = page.title
    out = [".TH " + " ".join('"%s"' % v for v in [name.upper(), section, "", *rest])]
    for b in page.blocks:
        if b.kind == "section":
            out.append(".SH " + escape(b.text))
        elif b.kind == "subsection":
            out.append(".SS " + escape(b.text))
        elif b.kind == "para":
            out += [".PP", line_safe(inline(b.text))]
        elif b.kind == "term":
            out += [".TP", line_safe(inline(b.text)), line_safe(inline(b.body))]
        elif b.kind == "literal":
            out += [".PP", ".RS 4", ".nf"] + [line_safe(escape(l)) for l in b.text.splitlines()] + [".fi", ".RE"]
    return "\n".join(out) + "\n"


def main(argv):
    source, output, *pairs = argv
    values = dict(p.split("=", 1) for p in pairs)
    with open(source, encoding="utf-8") as f:
        page = mansource.parse(f.read(), values)
    with open(output, "w", encoding="utf-8") as f:
        f.write(roff(page))


if __name__ == "__main__":
    main(sys.argv[1:])
