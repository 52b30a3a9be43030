#!/usr/bin/env python3
"""Rewrites API error code literals into `error::Code` variants (issue 19).

Every `"AREA_NNNN"` string literal in the code of src/, server/src/ and cli/src/ becomes
`Code::AreaNnnn` (`"RATE_LIMIT_7001"` -> `Code::RateLimit7001`), every `code: &'static str` (a
field or parameter carrying a code) becomes `code: Code`, and a file that now names `Code` gets
`use crate::error::Code;` (core) or `use mita::error::Code;` (server, cli), merged into an
existing `use …::error::{…}` line when there is one. Left alone: comments, `#[cfg(test)]`
modules (tests may compare wire strings), tests/ directories, and `description = "…"` in
attributes (OpenAPI text). A literal that is no variant of the enum (src/error/code.rs) is
reported and the script exits 1: add the code to the enum and to docs/error-codes.md first.

Idempotent: run it again after a rebase, then `cargo fmt --all` and fix what the compiler
names (e.g. a closure or local helper whose parameter type was spelled `&'static str` under
another name).

    python3 scripts/codes-to-enum.py            # rewrite in place
    python3 scripts/codes-to-enum.py --check    # only list what would change; exit 1 if any
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TREES = ["src", "server/src", "cli/src"]
ENUM_FILE = os.path.join("src", "error", "code.rs")
LITERAL = re.compile(r'(?<![\w\\])"([A-Z][A-Z_]*_[0-9]{4})"')
STATIC_STR = re.compile(r"\bcode: &'static str\b")
TEST_MODULE = re.compile(r"^\s*#\[cfg\(test\)\]\s*$")


def known_codes():
    """The enum's variants by wire string, read from its source."""
    text = open(os.path.join(ROOT, ENUM_FILE)).read()
    return {wire: name for name, wire in re.findall(r'^\s*(\w+) = "([A-Z_]+_[0-9]{4})",', text, re.M)}


def comment_start(line):
    """Where a `//` comment starts on the line (outside string literals), else its length."""
    in_str, i = False, 0
    while i < len(line):
        c = line[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif line.startswith("//", i):
            return i
        i += 1
    return len(line)


def rewrite_line(line, known, unknown, where):
    cut = comment_start(line)
    code_part, comment = line[:cut], line[cut:]

    def literal(m):
        if re.search(r"description\s*=\s*$", code_part[: m.start()]):
            return m.group(0)
        if m.group(1) not in known:
            unknown.append(f"{where}: {m.group(1)}")
            return m.group(0)
        return f"Code::{known[m.group(1)]}"

    code_part = LITERAL.sub(literal, code_part)
    code_part = STATIC_STR.sub("code: Code", code_part)
    return code_part + comment


def add_import(text, path):
    if re.search(r"^\s*(pub )?use [^;]*\bCode\b[^;]*;", text, flags=re.M | re.S):
        return text
    crate = "crate" if path.startswith("src/") else "mita"
    lines = text.split("\n")
    # Merge into `use crate::error::X;` / `use crate::error::{X, Y};` when present.
    single = re.compile(rf"^use {crate}::error::(\w+);$")
    group = re.compile(rf"^use {crate}::error::\{{([^}}]*)\}};$")
    for i, line in enumerate(lines):
        m = single.match(line) or group.match(line)
        if m:
            names = [n.strip() for n in m.group(1).split(",") if n.strip()]
            names.append("Code")
            lines[i] = f"use {crate}::error::{{{', '.join(sorted(set(names)))}}};"
            return "\n".join(lines)
    # Otherwise a line of its own before the first top-level `use` (cargo fmt sorts it in), or
    # after the module's doc comment when there is none.
    new = f"use {crate}::error::Code;"
    for i, line in enumerate(lines):
        if line.startswith("use "):
            lines.insert(i, new)
            return "\n".join(lines)
    i = 0
    while i < len(lines) and (lines[i].startswith("//!") or lines[i].startswith("#![")):
        i += 1
    lines[i:i] = ["", new] if i else [new, ""]
    return "\n".join(lines)


def rewrite(path, known, unknown):
    full = os.path.join(ROOT, path)
    text = open(full).read()
    lines = text.split("\n")
    out, in_tests = [], False
    for n, line in enumerate(lines):
        if TEST_MODULE.match(line):
            following = next((l for l in lines[n + 1 :] if l.strip()), "")
            in_tests = in_tests or following.lstrip().startswith(("mod ", "pub mod "))
        out.append(line if in_tests else rewrite_line(line, known, unknown, f"{path}:{n + 1}"))
    new = "\n".join(out)
    if new == text:
        return False
    if path != "src/error.rs":
        new = add_import(new, path)
    return new


def main():
    check = "--check" in sys.argv[1:]
    known = known_codes()
    unknown, changed = [], []
    for tree in TREES:
        for base, dirs, files in os.walk(os.path.join(ROOT, tree)):
            dirs[:] = sorted(d for d in dirs if d != "tests")
            for name in sorted(files):
                path = os.path.relpath(os.path.join(base, name), ROOT)
                if not name.endswith(".rs") or path == ENUM_FILE:
                    continue
                new = rewrite(path, known, unknown)
                if new is not False:
                    changed.append(path)
                    if not check:
                        open(os.path.join(ROOT, path), "w").write(new)
    for path in changed:
        print(("would rewrite " if check else "rewrote ") + path)
    for u in unknown:
        print(f"not a variant of error::Code (add it to {ENUM_FILE} and docs/error-codes.md): {u}")
    if unknown or (check and changed):
        sys.exit(1)
    if changed and not check:
        print("now run: cargo fmt --all && cargo check --workspace --all-targets")


if __name__ == "__main__":
    main()
