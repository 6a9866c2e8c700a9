#!/usr/bin/env python3
"""A small raw PDF reader and incremental-update writer for the attack
generator (tests/tools/mutate.py). Standard library only; for test files,
not for hostile input.

Reading: the cross-reference chain from the last startxref through /Prev
(classic tables, xref streams with PNG predictors, hybrid /XRefStm), objects
in use, free or in object streams, parsed into Python values:

    dict -> dict (insertion order), array -> list, name -> Name,
    reference -> Ref, string -> Str (literal) / Hex, integer -> int,
    real -> Real (its text kept), true/false -> bool, null -> None,
    stream -> Stream(dict, raw bytes as stored).

Writing: an Update collects new or changed objects, freed numbers, raw
xref entries (any offset, to make re-pointing attacks) and trailer changes,
and appends them the way an editor saves incrementally, in one of three
forms: "table" (classic xref table and trailer), "xrefstm" (an xref stream)
or "objstm" (non-stream objects packed into an object stream, xref stream).
"""
import re
import zlib

WS = b"\x00\t\n\x0c\r "
DELIM = b"()<>[]{}/%"


class Name(str):
    pass


class Ref(tuple):
    def __new__(cls, num, gen=0):
        return tuple.__new__(cls, (num, gen))

    num = property(lambda s: s[0])
    gen = property(lambda s: s[1])


class Str(bytes):
    pass


class Hex(bytes):
    pass


class Real(str):
    pass


class Stream:
    def __init__(self, d, raw):
        self.dict = d
        self.raw = raw

    def decoded(self):
        f = self.dict.get("Filter")
        filters = f if isinstance(f, list) else ([f] if f else [])
        data = self.raw
        for flt in filters:
            if flt != "FlateDecode":
                raise ValueError("filter %s not supported" % flt)
            data = zlib.decompress(data)
        parms = self.dict.get("DecodeParms")
        if isinstance(parms, dict) and parms.get("Predictor", 1) >= 10:
            data = unpredict(data, parms.get("Columns", 1))
        return data


def unpredict(data, cols):
    out, prev, row = bytearray(), bytearray(cols), cols + 1
    for i in range(0, len(data) - len(data) % row, row):
        ftype, line = data[i], bytearray(data[i + 1:i + row])
        for j in range(cols):
            left = line[j - 1] if j else 0
            up = prev[j]
            if ftype == 1:
                line[j] = (line[j] + left) & 255
            elif ftype == 2:
                line[j] = (line[j] + up) & 255
            elif ftype == 3:
                line[j] = (line[j] + (left + up) // 2) & 255
            elif ftype == 4:
                ul = prev[j - 1] if j else 0
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                line[j] = (line[j] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        out += line
        prev = line
    return bytes(out)


# ---------------------------------------------------------------- parsing
def skip_ws(data, pos):
    n = len(data)
    while pos < n:
        c = data[pos]
        if c in WS:
            pos += 1
        elif c == 0x25:  # % comment
            while pos < n and data[pos] not in b"\r\n":
                pos += 1
        else:
            break
    return pos


def token_end(data, pos):
    n = len(data)
    while pos < n and data[pos] not in WS and data[pos] not in DELIM:
        pos += 1
    return pos


NUM_RE = re.compile(rb"[+-]?(\d+\.?\d*|\.\d+)")
REF_RE = re.compile(rb"(\d+)\s+(\d+)\s+R(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])")


def parse(data, pos=0):
    """(value, position after it)."""
    pos = skip_ws(data, pos)
    c = data[pos:pos + 1]
    if c == b"<" and data[pos + 1:pos + 2] == b"<":
        d, pos = {}, pos + 2
        while True:
            pos = skip_ws(data, pos)
            if data[pos:pos + 2] == b">>":
                pos += 2
                break
            key, pos = parse(data, pos)
            if not isinstance(key, Name):
                raise ValueError("dictionary key is not a name at %d" % pos)
            d[key], pos = parse(data, pos)
        # A stream?
        p = skip_ws(data, pos)
        if data[p:p + 6] == b"stream":
            p += 6
            if data[p:p + 2] == b"\r\n":
                p += 2
            elif data[p:p + 1] in (b"\n", b"\r"):
                p += 1
            length = d.get("Length")
            if isinstance(length, int):
                raw = data[p:p + length]
                end = p + length
            else:
                end = data.index(b"endstream", p)
                raw = data[p:end]
                if raw.endswith(b"\r\n"):
                    raw = raw[:-2]
                elif raw.endswith((b"\n", b"\r")):
                    raw = raw[:-1]
            e = data.index(b"endstream", end)
            return Stream(d, raw), e + 9
        return d, pos
    if c == b"[":
        arr, pos = [], pos + 1
        while True:
            pos = skip_ws(data, pos)
            if data[pos:pos + 1] == b"]":
                return arr, pos + 1
            v, pos = parse(data, pos)
            arr.append(v)
    if c == b"/":
        end = token_end(data, pos + 1)
        raw = data[pos + 1:end]
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        return Name(name.decode("latin-1")), end
    if c == b"(":
        depth, i, out = 0, pos + 1, bytearray()
        while True:
            ch = data[i]
            if ch == 0x5C:  # backslash: keep escapes as written
                out += data[i:i + 2]
                i += 2
                continue
            if ch == 0x28:
                depth += 1
            elif ch == 0x29:
                if depth == 0:
                    return Str(bytes(out)), i + 1
                depth -= 1
            out.append(ch)
            i += 1
    if c == b"<":
        end = data.index(b">", pos)
        return Hex(re.sub(rb"\s", b"", data[pos + 1:end])), end + 1
    m = REF_RE.match(data, pos)
    if m:
        return Ref(int(m.group(1)), int(m.group(2))), m.end()
    m = NUM_RE.match(data, pos)
    if m:
        t = m.group(0)
        return (Real(t.decode()) if b"." in t else int(t)), m.end()
    end = token_end(data, pos)
    word = data[pos:end]
    if word == b"true":
        return True, end
    if word == b"false":
        return False, end
    if word == b"null":
        return None, end
    raise ValueError("cannot parse %r at %d" % (data[pos:pos + 20], pos))


def ser(v):
    if isinstance(v, Stream):
        d = dict(v.dict)
        d["Length"] = len(v.raw)
        return ser(d) + b"\nstream\n" + v.raw + b"\nendstream"
    if isinstance(v, dict):
        return b"<< " + b" ".join(ser(Name(k)) + b" " + ser(x) for k, x in v.items()) + b" >>"
    if isinstance(v, list):
        return b"[" + b" ".join(ser(x) for x in v) + b"]"
    if isinstance(v, Name):
        return b"/" + re.sub(rb"[^!-~]|[#()<>\[\]{}/%]", lambda m: b"#%02X" % m.group(0)[0],
                             v.encode("latin-1"))
    if isinstance(v, Ref):
        return b"%d %d R" % (v[0], v[1])
    if isinstance(v, Hex):
        return b"<" + bytes(v) + b">"
    if isinstance(v, Str):
        return b"(" + bytes(v) + b")"
    if isinstance(v, bytes):
        return b"(" + v.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
    if v is True:
        return b"true"
    if v is False:
        return b"false"
    if v is None:
        return b"null"
    if isinstance(v, Real):
        return v.encode()
    if isinstance(v, float):
        return ("%.4f" % v).rstrip("0").rstrip(".").encode()
    if isinstance(v, int):
        return b"%d" % v
    raise TypeError("cannot write %r" % (v,))


def stream(content, **d):
    """A Stream from content bytes and dictionary entries (names as str)."""
    if isinstance(content, str):
        content = content.encode("latin-1")
    return Stream({k: (Name(x[1:]) if isinstance(x, str) and x.startswith("/") else x)
                   for k, x in d.items()}, content)


# ---------------------------------------------------------------- reading
class Pdf:
    def __init__(self, data):
        self.data = data
        self.xref = {}           # num -> ("n", offset, gen) | ("c", stm, idx) | ("f", next, gen)
        self.sections = []       # [(offset, {num: entry}, trailer)], newest first
        self.trailer = None
        self._objstm = {}
        start = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
        seen = set()
        off = start
        while off is not None and off not in seen:
            seen.add(off)
            entries, trailer = self._section(off)
            if "XRefStm" in trailer:
                e2, _ = self._section(trailer["XRefStm"])
                for k, v in e2.items():
                    entries.setdefault(k, v)
            self.sections.append((off, entries, trailer))
            if self.trailer is None:
                self.trailer = trailer
            for k, v in entries.items():
                self.xref.setdefault(k, v)
            off = trailer.get("Prev")
        self.startxref = start

    def _section(self, off):
        data = self.data
        p = skip_ws(data, off)
        entries = {}
        if data[p:p + 4] == b"xref":
            p += 4
            while True:
                p = skip_ws(data, p)
                if data[p:p + 7] == b"trailer":
                    trailer, _ = parse(data, p + 7)
                    return entries, trailer
                m = re.compile(rb"(\d+)\s+(\d+)").match(data, p)
                first, count = int(m.group(1)), int(m.group(2))
                p = m.end()
                for i in range(count):
                    p = skip_ws(data, p)
                    o, g, t = data[p:p + 10], data[p + 11:p + 16], data[p + 17:p + 18]
                    p += 18
                    entries.setdefault(first + i, ("n", int(o), int(g)) if t == b"n" else ("f", int(o), int(g)))
        m = re.compile(rb"(\d+)\s+(\d+)\s+obj").match(data, p)
        xs, _ = parse(data, m.end())
        d = xs.dict
        w = d["W"]
        idx = d.get("Index", [0, d["Size"]])
        rows = xs.decoded()
        r = 0
        for s in range(0, len(idx), 2):
            for num in range(idx[s], idx[s] + idx[s + 1]):
                f = []
                for width in w:
                    f.append(int.from_bytes(rows[r:r + width], "big") if width else None)
                    r += width
                t = 1 if w[0] == 0 else f[0]
                if t == 0:
                    entries.setdefault(num, ("f", f[1], f[2] or 0))
                elif t == 1:
                    entries.setdefault(num, ("n", f[1], f[2] or 0))
                elif t == 2:
                    entries.setdefault(num, ("c", f[1], f[2]))
        return entries, d

    # -- objects
    def body_at(self, off):
        """(num, value) of the object defined at offset off."""
        m = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj").match(self.data, off)
        v, _ = parse(self.data, m.end())
        return int(m.group(1)), v

    def get(self, num, entry=None):
        e = entry or self.xref.get(num)
        if not e or e[0] == "f":
            return None
        if e[0] == "n":
            return self.body_at(e[1])[1]
        stm = e[1]
        if stm not in self._objstm:
            s = self.get(stm)
            raw = s.decoded()
            n, first = s.dict["N"], s.dict["First"]
            head = [int(x) for x in raw[:first].split()]
            self._objstm[stm] = (raw, first, head[0:2 * n])
        raw, first, head = self._objstm[stm]
        for i in range(0, len(head), 2):
            if head[i] == num:
                return parse(raw, first + head[i + 1])[0]
        return None

    def r(self, v):
        """Follow references (bounded)."""
        for _ in range(32):
            if not isinstance(v, Ref):
                return v
            v = self.get(v.num)
        return v

    def offsets_of(self, num):
        """Every offset (oldest first) where 'num 0 obj' is written in the file."""
        return [m.start() for m in re.finditer(rb"(?<![0-9])%d 0 obj\b" % num, self.data)]

    # -- structure
    @property
    def root_num(self):
        return self.trailer["Root"].num

    def catalog(self):
        return self.get(self.root_num)

    def pages(self):
        """Page object numbers in order."""
        out = []

        def walk(ref, depth=0):
            node = self.get(ref.num)
            if node is None or depth > 16:
                return
            if node.get("Type") == "Pages" or "Kids" in node:
                for k in self.r(node.get("Kids", [])):
                    walk(k, depth + 1)
            else:
                out.append(ref.num)
        walk(self.catalog()["Pages"])
        return out

    def size(self):
        return max([t.get("Size", 0) for _, _, t in self.sections] + [max(self.xref) + 1])

    def signatures(self):
        """[(field num, sig dict num, ByteRange end)] for every signature field
        in /AcroForm /Fields, oldest signature first."""
        acro = self.r(self.catalog().get("AcroForm")) or {}
        out = []
        for f in self.r(acro.get("Fields", [])):
            fd = self.get(f.num)
            if fd and fd.get("FT") == "Sig" and isinstance(fd.get("V"), Ref):
                sd = self.get(fd["V"].num)
                br = sd.get("ByteRange") if sd else None
                if br:
                    out.append((f.num, fd["V"].num, br[2] + br[3]))
        return sorted(out, key=lambda x: x[2])


# ---------------------------------------------------------------- writing
class Update:
    def __init__(self, pdf):
        self.pdf = pdf
        self.objs = {}        # num -> value or raw bytes (between obj and endobj)
        self.free = []        # numbers to free
        self.entries = {}     # num -> offset: raw "n" entries (re-pointing)
        self.trailer = {}     # trailer entries to set
        self.dead = []        # [(num, value)]: written, but no xref entry points there
        self.next = pdf.size()

    def new(self, value=None):
        num = self.next
        self.next += 1
        if value is not None:
            self.objs[num] = value
        return num

    def put(self, num, value):
        self.objs[num] = value
        return num

    def get(self, num):
        """The object as this update will leave it (changed here or earlier)."""
        if num in self.objs:
            return self.objs[num]
        return self.pdf.get(num)

    def write(self, mode="table"):
        pdf = self.pdf
        out = bytearray(pdf.data)
        if not out.endswith(b"\n"):
            out += b"\n"
        rows = {}   # num -> (type, f2, f3)
        packed = []
        for num in sorted(self.objs):
            v = self.objs[num]
            body = v if isinstance(v, bytes) and not isinstance(v, (Str, Hex)) else ser(v)
            if mode == "objstm" and not isinstance(v, Stream) and b"stream" not in body[-12:]:
                packed.append((num, body))
                continue
            rows[num] = (1, len(out), 0)
            out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
        if packed:
            stm = self.next
            self.next += 1
            head = b""
            objdata = b""
            for i, (num, body) in enumerate(packed):
                head += b"%d %d " % (num, len(objdata))
                objdata += body + b"\n"
                rows[num] = (2, stm, i)
            raw = zlib.compress(head + objdata)
            rows[stm] = (1, len(out), 0)
            out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                    % (stm, len(packed), len(head), len(raw)) + raw + b"\nendstream\nendobj\n")
        for num, v in self.dead:
            out += b"%d 0 obj\n" % num + ser(v) + b"\nendobj\n"
        for num, off in self.entries.items():
            rows[num] = (1, off, 0)
        frees = sorted(self.free)
        chain = frees + [0]
        for i, num in enumerate(frees):
            old = pdf.xref.get(num, ("n", 0, 0))
            rows[num] = (0, chain[i + 1], (old[2] if old[0] != "c" else 0) + 1)
        if frees:
            rows[0] = (0, frees[0], 65535)
        trailer = {"Size": max(self.next, pdf.size()), "Root": pdf.trailer["Root"]}
        for k in ("Info", "ID"):
            if k in pdf.trailer:
                trailer[k] = pdf.trailer[k]
        trailer.update(self.trailer)
        trailer["Prev"] = pdf.startxref
        xref_off = len(out)
        if mode == "table":
            out += b"xref\n"
            for first, group in _runs(sorted(rows)):
                out += b"%d %d\n" % (first, len(group))
                for num in group:
                    t, a, b = rows[num]
                    out += b"%010d %05d %s\r\n" % (a, b, b"f" if t == 0 else b"n")
            out += b"trailer\n" + ser(trailer) + b"\n"
        else:
            xnum = self.next
            self.next += 1
            trailer["Size"] = max(trailer["Size"], xnum + 1)
            rows[xnum] = (1, xref_off, 0)
            idx, data = [], bytearray()
            for first, group in _runs(sorted(rows)):
                idx += [first, len(group)]
                for num in group:
                    t, a, b = rows[num]
                    data += bytes([t]) + a.to_bytes(4, "big") + b.to_bytes(2, "big")
            raw = zlib.compress(bytes(data))
            d = {"Type": Name("XRef"), "W": [1, 4, 2], "Index": idx, "Filter": Name("FlateDecode")}
            d.update(trailer)
            out += b"%d 0 obj\n" % xnum + ser(Stream(d, raw)) + b"\nendobj\n"
        out += b"startxref\n%d\n%%%%EOF\n" % xref_off
        return bytes(out)


def _runs(nums):
    group = []
    for n in nums:
        if group and n != group[-1] + 1:
            yield group[0], group
            group = []
        group.append(n)
    if group:
        yield group[0], group
