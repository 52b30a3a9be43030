#!/usr/bin/env python3
"""Import cycles between the core crate's top-level modules (issue 19).

Reads every `.rs` file under src/ (or the directory given), attributes it to its top-level module
(`src/budget/views.rs` -> `budget`), and records an edge A -> B for each `crate::B` path in A's
code (comments and `#[cfg(test)] mod tests` blocks are left out: tests may reach anywhere). Then
prints the strongly connected components with more than one module, i.e. the cycles, and exits
1 if there is one. `--edges` also prints each module's dependencies inside the cycles.

    python3 scripts/module-cycles.py            # src/
    python3 scripts/module-cycles.py --edges
"""

import os
import re
import sys
from collections import defaultdict


def strip(text):
    text = re.sub(r"#\[cfg\(test\)\]\s*mod tests\s*\{.*", "", text, flags=re.S)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def graph(root):
    modules = set()
    for name in os.listdir(root):
        if name.endswith(".rs") and name not in ("lib.rs", "main.rs"):
            modules.add(name[:-3])
        elif os.path.isdir(os.path.join(root, name)):
            modules.add(name)
    edges = defaultdict(set)
    for folder, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(folder, f)
            first = os.path.relpath(path, root).split(os.sep)[0]
            me = first[:-3] if first.endswith(".rs") else first
            if me not in modules:
                continue
            with open(path, encoding="utf-8") as fh:
                code = strip(fh.read())
            targets = set(re.findall(r"crate::(\w+)", code))
            for group in re.findall(r"use crate::\{([^;]*)\};", code, flags=re.S):
                targets |= set(re.findall(r"(?:^|[,{\s])(\w+)(?=::|\s*[,}]|$)", group))
            edges[me] |= {t for t in targets if t in modules and t != me}
    return modules, edges


def components(modules, edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(modules):
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    root = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "src")
    modules, edges = graph(root)
    cycles = components(modules, edges)
    for comp in cycles:
        print(f"cycle of {len(comp)}: {' '.join(comp)}")
        if "--edges" in sys.argv:
            for m in comp:
                print(f"  {m} -> {' '.join(sorted(edges[m] & set(comp)))}")
    print(f"{len(modules)} modules, {len(cycles)} cycle(s)")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
