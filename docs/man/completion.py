#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes bash or zsh completion for offload from its man page source
(docs/man/offload.1.md): the global options are the definitions under
OPTIONS, the commands the subsections of COMMANDS with their definitions.

A definition's term names the flags in `code` and its argument in *italics*:
*PATH* completes files, *DIR* directories, *PROVIDER* and *FRAMEWORK* the
installed plugin types (from `offload plugins`), *a*|*b* those words, and
anything else takes a value that is not completed.

usage: completion.py bash|zsh SOURCE OUTPUT
"""
import re
import sys
from dataclasses import dataclass, field

import mansource


@dataclass
class Flag:
    names: list
    help: str
    value: str = ""                          # "", "file", "dir", "provider", "framework", "choice", "any"
    choices: list = field(default_factory=list)
    repeatable: bool = False


def first_sentence(text):
    return re.split(r"[;.](?:\s|$)", mansource.plain(text))[0]


def flag(term, body):
    spans = mansource.spans(term)
    names = [t for style, t in spans if style == "code"]
    args = [t for style, t in spans if style == "italic"]
    f = Flag(names, first_sentence(body), repeatable="repeat" in body)
    if len(args) > 1:
        f.value, f.choices = "choice", args
    elif args:
        f.value = {"PATH": "file", "DIR": "dir", "PROVIDER": "provider", "FRAMEWORK": "framework"}.get(args[0], "any")
    return f


def read(source):
    """(global flags, [(command, summary, flags)]) of the page."""
    page = mansource.parse(source, {})
    global_flags, commands = [], []
    for b in page.blocks:
        if b.section == "OPTIONS" and b.kind == "term":
            global_flags.append(flag(b.text, b.body))
        elif b.section == "COMMANDS" and b.kind == "subsection":
            commands.append((b.text, "", []))
        elif b.section == "COMMANDS" and b.kind == "para" and commands and not commands[-1][1]:
            name, _, flags = commands[-1]
            commands[-1] = (name, first_sentence(b.text), flags)
        elif b.section == "COMMANDS" and b.kind == "term":
            commands[-1][2].append(flag(b.text, b.body))
    return global_flags, commands


TYPES = "offload plugins 2>/dev/null | awk -v kind=\"$1\" '/^Types:/ {t = 1; next} /^$/ {t = 0} t && $1 == kind {print $2}'"


def bash_value_case(flags, indent):
    """`case $prev` arms that complete (or stop at) each flag's value."""
    out = []
    free = [n for f in flags if f.value == "any" for n in f.names]
    if free:
        out.append(indent + "%s) return ;;" % "|".join(free))
    for f in flags:
        if f.value in ("", "any"):
            continue
        words = {"file": "COMPREPLY=($(compgen -f -- \"$cur\"))",
                 "dir": "COMPREPLY=($(compgen -d -- \"$cur\"))",
                 "provider": "COMPREPLY=($(compgen -W \"$(_offload_types provider)\" -- \"$cur\"))",
                 "framework": "COMPREPLY=($(compgen -W \"$(_offload_types framework)\" -- \"$cur\"))",
                 "choice": "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))" % " ".join(f.choices)}[f.value]
        out.append(indent + "%s) %s; return ;;" % ("|".join(f.names), words))
    return out


def bash(global_flags, commands):
    takes_value = [n for f in global_flags if f.value for n in f.names]
    out = ["# bash completion for offload; generated from docs/man/offload.1.md.",
           "_offload_types() {", "  " + TYPES, "}", "",
           "_offload() {",
           "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= opts i",
           "  local global='%s'" % " ".join(n for f in global_flags for n in f.names),
           "  # The command is the first word that is neither an option nor an option's value.",
           "  for ((i = 1; i < COMP_CWORD; i++)); do",
           "    case ${COMP_WORDS[i]} in",
           "      %s) ((i++)) ;;" % "|".join(takes_value),
           "      -*) ;;",
           "      *) cmd=${COMP_WORDS[i]}; break ;;",
           "    esac",
           "  done",
           "  case $prev in"]
    out += bash_value_case(global_flags, "    ")
    out += ["  esac", "  case $cmd in"]
    for name, _, flags in commands:
        out.append("    %s)" % name)
        if any(f.value for f in flags):
            out += ["      case $prev in"] + bash_value_case(flags, "        ") + ["      esac"]
        out.append("      opts='%s' ;;" % " ".join(n for f in flags for n in f.names))
    out += ["    '')",
            "      if [[ $cur != -* ]]; then",
            "        COMPREPLY=($(compgen -W '%s' -- \"$cur\"))" % " ".join(c[0] for c in commands),
            "        return",
            "      fi ;;",
            "  esac",
            "  COMPREPLY=($(compgen -W \"$opts $global\" -- \"$cur\"))",
            "}",
            "complete -F _offload offload", ""]
    return "\n".join(out)


def zsh_quote(text):
    return text.replace("'", "'\\''").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:")


def zsh_spec(f):
    action = {"": "", "file": ":file:_files", "dir": ":directory:_files -/",
              "provider": ":provider:_offload_types provider", "framework": ":framework:_offload_types framework",
              "choice": ":value:(%s)" % " ".join(f.choices), "any": ":value: "}[f.value]
    help_text = zsh_quote(f.help)
    if f.repeatable:
        return ["'*%s[%s]%s'" % (n, help_text, action) for n in f.names]
    exclusive = "(%s)" % " ".join(f.names) if len(f.names) > 1 else ""
    return ["'%s%s[%s]%s'" % (exclusive, n, help_text, action) for n in f.names]


def zsh(global_flags, commands):
    out = ["#compdef offload", "# zsh completion for offload; generated from docs/man/offload.1.md.",
           "_offload_types() {", "  local -a types",
           "  types=(${(f)\"$(%s)\"})" % TYPES,
           "  compadd -a types", "}", "",
           "_offload() {",
           "  local curcontext=$curcontext state line",
           "  local -a global commands",
           "  global=("]
    out += ["    " + s for f in global_flags for s in zsh_spec(f)]
    out += ["  )", "  commands=("]
    out += ["    '%s:%s'" % (name, zsh_quote(summary)) for name, summary, _ in commands]
    out += ["  )",
            "  _arguments -C $global '1:command:->command' '*::argument:->argument'",
            "  case $state in",
            "    command) _describe -t commands 'offload command' commands ;;",
            "    argument)",
            "      case $line[1] in"]
    for name, _, flags in commands:
        out.append("        %s) _arguments %s ;;" % (name, " ".join(["$global"] + [s for f in flags for s in zsh_spec(f)])))
    out += ["      esac ;;", "  esac", "}", "", "_offload \"$@\"", ""]
    return "\n".join(out)


def main(argv):
    shell, source, output = argv
    with open(source, encoding="utf-8") as f:
        global_flags, commands = read(f.read())
    with open(output, "w", encoding="utf-8") as f:
        f.write({"bash": bash, "zsh": zsh}[shell](global_flags, commands))


if __name__ == "__main__":
    main(sys.argv[1:])
