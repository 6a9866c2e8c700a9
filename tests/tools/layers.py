#!/usr/bin/env python3
"""The library's layering, checked on its object files.

    layers.py ARCHITECTURE.md OBJECT.o...
    layers.py ARCHITECTURE.md --src SRCDIR OBJDIR   (the .o files under OBJDIR
                                                    whose source is under SRCDIR)

The graph is derived with `nm` from the object files: file a depends on
file b when a.o references a symbol b.o defines. Which layer each source
file belongs to, and which layers a layer may use, are read from the
"Layers" table of docs/architecture.md (the files are the backticked
`*.c` names of a row, the last column names the layers it may use), so the
document and the code cannot drift apart. Fails (exit 1, one line per
finding) when
  - two source files depend on each other, directly or through others;
  - a file uses a file of a layer its own layer may not use;
  - an object file belongs to no layer (a new file must be placed in the
    table);
  - with --src, a file's folder (libseal/src/<folder>/) is not its layer.
No edges are kept by hand: only the file-to-layer table and the layers'
permissions.
"""
import collections
import os
import re
import subprocess
import sys

SKIP_USES = {"mupdf", "openssl", "libgcrypt", "libc"}


def read_layers(path):
    layer_of, may_use = {}, {}
    in_table = False
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("## "):
                in_table = line.strip() == "## Layers"
                continue
            if not in_table or not line.startswith("|") or line.startswith("|---"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 3 or cells[0].split(" ")[0] == "layer":
                continue
            layer = cells[0]
            uses = {u.strip().lower() for u in cells[-1].split(",") if u.strip()}
            may_use[layer] = {u for u in uses if u not in SKIP_USES}
            for name in re.findall(r"`([A-Za-z0-9_]+)\.c`", " ".join(cells[1:-1])):
                if name in layer_of and layer_of[name] != layer:
                    sys.exit("layers: %s.c is in two layers (%s, %s)" % (name, layer_of[name], layer))
                layer_of[name] = layer
    if not layer_of:
        sys.exit("layers: no Layers table in %s" % path)
    for layer, uses in may_use.items():
        for u in uses:
            if u not in may_use:
                sys.exit("layers: layer %s may use %r, which is no layer" % (layer, u))
    return layer_of, may_use


def symbols(objects):
    defs, refs = {}, collections.defaultdict(set)
    for o in objects:
        name = os.path.basename(o)
        name = re.sub(r"\.c\.o(bj)?$|\.o$", "", name)
        out = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            p = line.split()
            if len(p) == 3 and p[1] in "TDBRCV":
                defs[p[2]] = name
            elif len(p) == 2 and p[0] == "U":
                refs[name].add(p[1])
        refs.setdefault(name, set())
    graph = collections.defaultdict(dict)
    for f, syms in refs.items():
        for s in sorted(syms):
            g = defs.get(s)
            if g and g != f:
                graph[f].setdefault(g, s)
    return sorted(refs), graph


def cycles(nodes, graph):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
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
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            visit(v)
    return out


def object_files(args):
    """The object files, and for --src each one's folder under SRCDIR."""
    if len(args) == 3 and args[0] == "--src":
        src, objdir = args[1], args[2]
        objs, folder = [], {}
        for dirpath, _, names in sorted(os.walk(objdir)):
            rel = os.path.relpath(dirpath, objdir)
            for name in sorted(names):
                stem = re.sub(r"\.c\.o$", "", name)
                if name.endswith(".c.o") and os.path.exists(os.path.join(src, rel, stem + ".c")):
                    objs.append(os.path.join(dirpath, name))
                    folder[stem] = rel
        return objs, folder
    return args, {}


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__.split("\n\n")[1])
    layer_of, may_use = read_layers(argv[1])
    objects, folder = object_files(argv[2:])
    if not objects:
        sys.exit("layers: no object files")
    nodes, graph = symbols(objects)
    problems = []
    for f in nodes:
        if f not in layer_of:
            problems.append("%s.c is in no layer of the architecture table" % f)
        elif f in folder and folder[f] != layer_of[f]:
            problems.append("%s.c is in libseal/src/%s/, its layer is %s (the folder is the layer)"
                            % (f, folder[f], layer_of[f]))
    for comp in cycles(nodes, graph):
        members = set(comp)
        links = ["%s.c -> %s.c (%s)" % (a, b, s) for a in comp for b, s in sorted(graph[a].items())
                 if b in members]
        problems.append("files depend on each other: " + "; ".join(links))
    for f in nodes:
        lf = layer_of.get(f)
        for g, s in sorted(graph.get(f, {}).items()):
            lg = layer_of.get(g)
            if lf and lg and lf != lg and lg not in may_use.get(lf, set()):
                problems.append("%s.c (%s) uses %s of %s.c (%s), a layer %s may not use"
                                % (f, lf, s, g, lg, lf))
    for p in problems:
        print("layers: " + p)
    print("layers: %d files, %d dependencies, %d problems"
          % (len(nodes), sum(len(v) for v in graph.values()), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
