#!/usr/bin/env python3
"""Follow a path of keys through a PDF's objects, as qpdf reads them
(qpdf --json=2: decrypted, object streams and references resolved), and
print the value found as JSON.

    pdfwalk.py FILE PATH [--password PW]

PATH starts at the trailer: "Root/Perms/DocMDP/Reference/0/TransformParams/P".
Numeric segments index arrays. "#" as a segment gives an array's length.
Names print as "/Name", strings as "u:text" or "b:hex" (qpdf's notation),
references are followed, streams give their dictionary. Exit 1 if the path
does not exist. Python standard library and qpdf only.
"""
import json
import re
import subprocess
import sys


def load(path, password=None):
    cmd = ["qpdf", "--json=2", "--json-key=qpdf"]
    if password:
        cmd.append("--password=" + password)
    cmd.append(path)
    res = subprocess.run(cmd, capture_output=True, check=False)
    if res.returncode not in (0, 3):  # 3: warnings
        raise SystemExit("qpdf failed: " + res.stderr.decode(errors="replace").strip())
    doc = json.loads(res.stdout)
    return doc["qpdf"][1]


def resolve(objs, v, depth=0):
    while isinstance(v, str) and re.fullmatch(r"\d+ \d+ R", v) and depth < 64:
        o = objs.get("obj:" + v)
        if o is None:
            return None
        v = o.get("value", o.get("stream", {}).get("dict"))
        depth += 1
    if isinstance(v, dict) and "stream" in v and "dict" in v["stream"]:
        v = v["stream"]["dict"]
    return v


def walk(objs, path):
    v = resolve(objs, objs["trailer"]["value"])
    for seg in [s for s in path.split("/") if s]:
        if seg == "#" and isinstance(v, list):
            return len(v)
        if isinstance(v, list) and seg.isdigit():
            i = int(seg)
            if i >= len(v):
                raise KeyError(seg)
            v = resolve(objs, v[i])
        elif isinstance(v, dict):
            key = "/" + seg
            if key not in v:
                raise KeyError(seg)
            v = resolve(objs, v[key])
        else:
            raise KeyError(seg)
    return v


def main(argv):
    password = None
    if "--password" in argv:
        i = argv.index("--password")
        password = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    objs = load(argv[0], password)
    try:
        v = walk(objs, argv[1])
    except KeyError as e:
        sys.stderr.write("pdfwalk: no %s in %s\n" % (e, argv[1]))
        return 1
    print(json.dumps(v, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
