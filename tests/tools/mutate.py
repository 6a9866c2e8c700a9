#!/usr/bin/env python3
# Attacks on signed PDFs, for the verifier's tests (stdlib only).
# SPDX-License-Identifier: AGPL-3.0-or-later
#
#   mutate.py KIND[@table|@xrefstm|@objstm] IN.pdf OUT.pdf
#   mutate.py --plan FILE|-        lines "SPEC IN.pdf OUT.pdf", one interpreter for all
#   mutate.py --list               every KIND
#
# The attack generator of issue 12 (docs/verify.md "Attack suite"; the
# classes are the KINDS table below): 'prepare' (or 'prepare-roles') adds to
# an unsigned document what shadow, dangling and role-confusion attacks need
# inside the revision that will be signed; the attack kinds then append one
# incremental update to the signed file, as a classic xref table (default
# for classic files), an xref stream (@xrefstm) or with the changed objects
# in an object stream (@objstm). 'whitebox' writes seal artwork that is an
# opaque white box with text (IN is ignored: "-").
#
# The first kinds (below, kept as they were):
#   content    an incremental update pointing page 1's /Contents at new content
#   annot      an incremental update adding an opaque Square annotation over page 1
#   override   an incremental update redefining page 1's content stream object
#              (same number, different drawing) — an overridden object
#   pageobj    an incremental update redefining page 1's object (same number)
#              with a smaller /MediaBox and /Rotate 180: content hidden, turned
#   flip       one byte of page 1's text changed inside the signed bytes
#   zero       the last signature's /Contents hex zeroed
#   byterange  the last signature's /ByteRange cut short of its revision's end
#   subfilter  the last signature's /SubFilter renamed (same length)
#   addtext    (not an attack) add a text field 'Price' = 100 on page 1
#   filltext   change the 'Price' field's value and appearance (form filling)
#
# The updates are classic cross-reference sections chained with /Prev, the
# way any PDF editor would append them; the signatures stay untouched.
import os
import re
import sys


def last_obj(data, num):
    """Text of the last definition of object num (classic, not in a stream)."""
    hits = list(re.finditer(rb"(?<![0-9])%d 0 obj\b(.*?)endobj" % num, data, re.S))
    if not hits:
        sys.exit("object %d not found (object streams are not supported here)" % num)
    return hits[-1].group(1)


def trailer_info(data):
    startxref = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    root = int(re.findall(rb"/Root\s+(\d+)\s+0\s+R", data)[-1])
    size = max(int(x) for x in re.findall(rb"/Size\s+(\d+)", data))
    info = re.findall(rb"/Info\s+(\d+)\s+0\s+R", data)
    return startxref, root, size, int(info[-1]) if info else None


def first_page(data, root):
    pages = int(re.search(rb"/Pages\s+(\d+)\s+0\s+R", last_obj(data, root)).group(1))
    kids = re.search(rb"/Kids\s*\[\s*(\d+)\s+0\s+R", last_obj(data, pages))
    return int(kids.group(1))


def append_update(data, objs):
    """objs: {num: body bytes (between 'obj' and 'endobj')}"""
    startxref, root, size, info = trailer_info(data)
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    offs = {}
    for num in sorted(objs):
        offs[num] = len(out)
        out += b"%d 0 obj\n" % num + objs[num].strip() + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n"
    for num in sorted(objs):
        out += b"%d 1\n%010d 00000 n \n" % (num, offs[num])
    newsize = max(size, max(objs) + 1)
    out += b"trailer\n<< /Size %d /Root %d 0 R" % (newsize, root)
    if info:
        out += b" /Info %d 0 R" % info
    out += b" /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (startxref, xref)
    return bytes(out)


def stream(body, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def add_to_form(data, objs, root, field):
    """List field in the AcroForm (made if missing), updating objs."""
    cat = objs.get(root, last_obj(data, root))
    af = re.search(rb"/AcroForm\s+(\d+)\s+0\s+R", cat)
    if af:
        num = int(af.group(1))
        objs[num] = re.sub(rb"/Fields\s*\[", b"/Fields [%d 0 R " % field, last_obj(data, num), count=1)
    elif b"/AcroForm" in cat:
        objs[root] = re.sub(rb"/Fields\s*\[", b"/Fields [%d 0 R " % field, cat, count=1)
    else:
        cat = cat.rstrip()
        objs[root] = cat[: cat.rfind(b">>")] + b" /AcroForm << /Fields [%d 0 R] >> >>" % field


def text_ap(value):
    body = b"/Tx BMC BT /Helv 12 Tf 2 5 Td (" + value + b") Tj ET EMC"
    return stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 200 20] "
                        b"/Resources << /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> ")


def mutate(kind, data):
    startxref, root, size, _ = trailer_info(data)
    page = first_page(data, root)
    pagetxt = last_obj(data, page)
    if kind == "content":
        new = size
        body = b"q 1 0 0 rg 72 600 300 80 re f Q BT /F1 24 Tf 80 620 Td (PRICE: 1 YUAN) Tj ET"
        pagetxt = re.sub(rb"/Contents\s*(\d+\s+0\s+R|\[[^\]]*\])", b"/Contents %d 0 R" % new, pagetxt)
        return append_update(data, {new: stream(body), page: pagetxt})
    if kind == "annot":
        ap, annot = size, size + 1
        body = b"1 1 1 rg 0 0 400 300 re f 0 0 0 rg BT /Helv 30 Tf 20 140 Td (NEW PRICE) Tj ET"
        annot_txt = (b"<< /Type /Annot /Subtype /Square /Rect [100 300 500 600] /F 4 "
                     b"/C [1 1 1] /IC [1 1 1] /AP << /N %d 0 R >> >>" % ap)
        if re.search(rb"/Annots\s*\[", pagetxt):
            pagetxt = re.sub(rb"/Annots\s*\[", b"/Annots [%d 0 R " % annot, pagetxt, count=1)
        elif re.search(rb"/Annots\s+\d+\s+0\s+R", pagetxt):
            sys.exit("indirect /Annots arrays are not supported here")
        else:
            pagetxt = pagetxt.rstrip()
            pagetxt = pagetxt[: pagetxt.rfind(b">>")] + b" /Annots [%d 0 R] >>" % annot
        return append_update(data, {ap: stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 400 300] "),
                                    annot: annot_txt, page: pagetxt})
    if kind == "override":
        m = re.search(rb"/Contents\s*(\d+)\s+0\s+R", pagetxt) or re.search(rb"/Contents\s*\[\s*(\d+)\s+0\s+R", pagetxt)
        num = int(m.group(1))
        body = b"BT /F1 24 Tf 72 700 Td (This page was replaced after signing) Tj ET"
        return append_update(data, {num: stream(body)})
    if kind == "pageobj":
        pagetxt = re.sub(rb"/MediaBox\s*\[[^\]]*\]", b"/MediaBox [0 0 300 300]", pagetxt)
        pagetxt = pagetxt.rstrip()
        pagetxt = pagetxt[: pagetxt.rfind(b">>")] + b" /Rotate 180 >>"
        return append_update(data, {page: pagetxt})
    if kind == "addtext":
        ap, field = size, size + 1
        objs = {ap: text_ap(b"100"),
                field: b"<< /FT /Tx /T (Price) /V (100) /DA (/Helv 12 Tf 0 g) /Type /Annot /Subtype /Widget "
                       b"/Rect [100 40 300 60] /F 4 /P %d 0 R /AP << /N %d 0 R >> >>" % (page, ap)}
        if re.search(rb"/Annots\s*\[", pagetxt):
            pagetxt = re.sub(rb"/Annots\s*\[", b"/Annots [%d 0 R " % field, pagetxt, count=1)
        else:
            pagetxt = pagetxt.rstrip()
            pagetxt = pagetxt[: pagetxt.rfind(b">>")] + b" /Annots [%d 0 R] >>" % field
        objs[page] = pagetxt
        add_to_form(data, objs, root, field)
        return append_update(data, objs)
    if kind == "filltext":
        m = list(re.finditer(rb"(?<![0-9])(\d+) 0 obj\s*<< /FT /Tx /T \(Price\)", data))
        if not m:
            sys.exit("no Price field")
        num = int(m[-1].group(1))
        txt = last_obj(data, num)
        ap = size
        txt = re.sub(rb"/V \([^)]*\)", b"/V (1)", txt)
        txt = re.sub(rb"/AP << /N \d+ 0 R >>", b"/AP << /N %d 0 R >>" % ap, txt)
        return append_update(data, {ap: text_ap(b"1"), num: txt})
    if kind == "flip":
        i = data.find(b"Tj")
        j = data.rfind(b"(", 0, i) + 1
        out = bytearray(data)
        out[j] = ord("X") if out[j] != ord("X") else ord("Y")
        return bytes(out)
    brs = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    if not brs:
        sys.exit("no signature")
    br = brs[-1]
    a, b, c, d = (int(x) for x in br.groups())
    if kind == "subfilter":
        i = data.rfind(b"ETSI.CAdES.detached")
        if i < 0:
            sys.exit("no ETSI.CAdES.detached signature")
        return data[:i] + b"ETSI.CAdES.detacheX" + data[i + 19:]
    if kind == "zero":
        out = bytearray(data)
        out[b + 1 : c - 1] = b"0" * (c - 1 - (b + 1))
        return bytes(out)
    if kind == "byterange":
        old = br.group(0)
        # The second range stops short of the revision's %%EOF.
        new = b"/ByteRange [%d %d %d %d]" % (a, b, c, d - 2)
        if len(new) > len(old):
            sys.exit("no room to rewrite /ByteRange")
        new = new[:-1] + b" " * (len(old) - len(new)) + b"]"
        return data[: br.start()] + new + data[br.end():]
    sys.exit("unknown mutation %s" % kind)



# ====================================================================== generator
# The attack generator of issue 12 (docs/verify.md "Attack suite"). Objects
# are read through the cross-reference chain (pdfraw.py), so these kinds work
# on any file our signer writes, xref streams and object streams included.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdfraw import Hex, Name, Pdf, Ref, Str, Stream, Update, ser, stream as mkstream  # noqa: E402

# Page 1 of tests/tools/mkpdf.py: the title and three lines of text fill
# x 72..520, y 690..790; prepare() adds a price line at y 640 and a bid bond
# line at y 600; seals sit lower (y < 200).
OVER_TEXT = [60, 620, 540, 800]
FAKE = b"Total price: 1 YUAN"


def white_box(w, h, text=FAKE, extra=b""):
    """An opaque white form XObject with fake text: what an attacker paints."""
    body = (b"1 1 1 rg 0 0 %d %d re f 0 0 0 rg BT /Helv 16 Tf 12 %d Td (%s) Tj ET" % (w, h, h // 2, text)) + extra
    return mkstream(body, Type="/XObject", Subtype="/Form", BBox=[0, 0, w, h],
                  Resources={"Font": {"Helv": helv()}})


def helv(differences=None):
    f = {"Type": Name("Font"), "Subtype": Name("Type1"), "BaseFont": Name("Helvetica")}
    if differences:
        f["Encoding"] = {"Type": Name("Encoding"), "BaseEncoding": Name("WinAnsiEncoding"),
                         "Differences": differences}
    return f


def fake_content():
    return mkstream(b"q 1 1 1 rg 60 620 480 180 re f Q BT /F1 24 Tf 72 740 Td (" + FAKE + b") Tj ET")


def rect_annot(subtype, ap, flags=4, rect=None, **extra):
    d = {"Type": Name("Annot"), "Subtype": Name(subtype), "Rect": rect or OVER_TEXT, "F": flags,
         "AP": {"N": Ref(ap)}}
    d.update(extra)
    return d


class Doc:
    """The facts about a prepared, signed document the attacks need."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.cat = pdf.catalog()
        self.page = pdf.pages()[0]
        self.pagedict = pdf.get(self.page)
        self.sigs = pdf.signatures()
        self.prep = {}
        # prepare() records the numbers of what it made in the catalog.
        marks = pdf.r(self.cat.get("LibsealTestPrep"))
        if isinstance(marks, dict):
            self.prep = {k: (v.num if isinstance(v, Ref) else v) for k, v in marks.items()}

    def need(self, key):
        if key not in self.prep:
            sys.exit("this document was not made with 'mutate.py prepare%s' (no %s)"
                     % (" --roles" if key in ("meta", "info") else "", key))
        return self.prep[key]

    def first_sig(self):
        if not self.sigs:
            sys.exit("no signature field in /AcroForm /Fields")
        return self.sigs[0]

    def annots(self, upd):
        """(list, save) for page 1's /Annots, direct or indirect."""
        page = upd.get(self.page)
        a = page.get("Annots")
        if isinstance(a, Ref):
            lst = list(upd.get(a.num))
            return lst, lambda v: upd.put(a.num, v)
        lst = list(a or [])

        def save(v):
            p = dict(upd.get(self.page))
            p["Annots"] = v
            upd.put(self.page, p)
        return lst, save

    def add_annot(self, upd, num):
        lst, save = self.annots(upd)
        save(lst + [Ref(num)])

    def acroform(self, upd):
        """(num, dict) of the AcroForm (made indirect by prepare())."""
        ref = upd.get(self.pdf.root_num)["AcroForm"]
        return ref.num, dict(upd.get(ref.num))


# ---------------------------------------------------------------- prepare
def prepare(pdf, roles):
    """Before signing: what shadow attacks need prepared in the signed
    revision, and the fields and structures the legitimate changes use."""
    u = Update(pdf)
    d = Doc(pdf)
    page = dict(d.pagedict)
    cat = dict(d.cat)
    font = page["Resources"]["Font"]["F1"]
    content = page["Contents"]
    marks = {}
    # Optional content: the price line (ON) and an overlay that hides it and
    # shows another price (OFF).
    ocg0 = u.new({"Type": Name("OCG"), "Name": Str(b"Overlay")})
    ocg1 = u.new({"Type": Name("OCG"), "Name": Str(b"Price")})
    ocprops = u.new({"OCGs": [Ref(ocg0), Ref(ocg1)],
                     "D": {"Order": [Ref(ocg0), Ref(ocg1)], "ON": [Ref(ocg1)], "OFF": [Ref(ocg0)]}})
    cat["OCProperties"] = Ref(ocprops)
    price = u.new(mkstream(b"/OC /MC1 BDC BT /F1 16 Tf 72 640 Td (Total price: 1,000,000 YUAN) Tj ET EMC\n"
                         b"/OC /MC0 BDC q 1 1 1 rg 60 630 480 40 re f Q BT /F1 16 Tf 72 640 Td (" + FAKE +
                         b") Tj ET EMC\nq 1 0 0 1 72 600 cm /Lg Do Q\nq 1 0 0 1 60 680 cm /Fx9 Do Q\n"))
    logo = u.new(mkstream(b"BT /F1 14 Tf 0 10 Td (Bid bond: 50,000 YUAN) Tj ET", Type="/XObject",
                        Subtype="/Form", BBox=[0, 0, 300, 30], Resources={"Font": {"F1": font}}))
    fontdict = u.new({"F1": font})
    res = u.new({"Font": Ref(fontdict), "XObject": {"Lg": Ref(logo)},
                 "Properties": {"MC0": Ref(ocg0), "MC1": Ref(ocg1)}})
    # Prepared, unreferenced: an overlay XObject and a content stream.
    shx = u.new(white_box(480, 180, FAKE))
    shc = u.new(fake_content())
    # A hidden annotation with an opaque appearance over the text.
    hidap = u.new(white_box(480, 180, b"Hidden price: 1 YUAN"))
    hid = u.new(rect_annot("Square", hidap, flags=2))
    # Form fields: Price (filled, a second appearance prepared), Remark (empty).
    ap100 = u.new(text_ap_obj(b"100"))
    ap1 = u.new(text_ap_obj(b"1"))
    pricef = u.new({"FT": Name("Tx"), "T": Str(b"Price"), "V": Str(b"100"), "DA": Str(b"/Helv 12 Tf 0 g"),
                    "Type": Name("Annot"), "Subtype": Name("Widget"), "Rect": [350, 560, 550, 580],
                    "F": 4, "P": Ref(d.page), "AP": {"N": Ref(ap100)}})
    apempty = u.new(mkstream(b"/Tx BMC EMC", Type="/XObject", Subtype="/Form", BBox=[0, 0, 200, 20]))
    remark = u.new({"FT": Name("Tx"), "T": Str(b"Remark"), "DA": Str(b"/Helv 12 Tf 0 g"),
                    "Type": Name("Annot"), "Subtype": Name("Widget"), "Rect": [72, 520, 272, 540],
                    "F": 4, "P": Ref(d.page), "AP": {"N": Ref(apempty)}})
    helvnum = u.new(helv())
    acro = u.new({"Fields": [Ref(pricef), Ref(remark)], "DA": Str(b"/Helv 0 Tf 0 g"),
                  "DR": {"Font": {"Helv": Ref(helvnum)}}})
    cat["AcroForm"] = Ref(acro)
    # Dangling: page 1 draws object D and lists annotation A; neither is defined.
    dangling_c, dangling_a = u.new(), u.new()
    annarr = u.new([Ref(hid), Ref(pricef), Ref(remark), Ref(dangling_a)])
    # A structure tree indexing page 1.
    st = u.new()
    docel = u.new()
    pel = u.new({"Type": Name("StructElem"), "S": Name("P"), "P": Ref(docel), "Pg": Ref(d.page), "K": 0})
    u.put(docel, {"Type": Name("StructElem"), "S": Name("Document"), "P": Ref(st), "K": [Ref(pel)]})
    u.put(st, {"Type": Name("StructTreeRoot"), "K": [Ref(docel)],
               "ParentTree": {"Nums": [0, [Ref(pel)]]}, "ParentTreeNextKey": 1})
    cat["StructTreeRoot"] = Ref(st)
    cat["MarkInfo"] = {"Marked": True}
    # Page 1's content stream gets a newer definition (one more line): its
    # older definition stays in the first revision.
    cnum = content.num
    old = pdf.get(cnum)
    u.put(cnum, mkstream(old.decoded() + b"BT /F1 12 Tf 72 480 Td (Delivery: 30 days after award.) Tj ET\n"))
    contents = [Ref(cnum), Ref(price), Ref(dangling_c)]
    xmp = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
           b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta><?xpacket end="w"?>')
    if roles:
        # Role confusion: the catalog's /Metadata is also a content stream of
        # page 1, the trailer's /Info also page 1's font dictionary.
        meta = u.new(mkstream(b"% " + xmp + b"\nq Q\n", Type="/Metadata", Subtype="/XML"))
        contents.append(Ref(meta))
        u.put(fontdict, {"F1": font, "Title": Str(b"libseal test document"), "Producer": Str(b"mkpdf")})
        u.trailer["Info"] = Ref(fontdict)
        marks.update(meta=meta, info=fontdict)
    else:
        meta = u.new(mkstream(xmp, Type="/Metadata", Subtype="/XML"))
    cat["Metadata"] = Ref(meta)
    page.update({"Resources": Ref(res), "Contents": contents, "Annots": Ref(annarr), "StructParents": 0})
    u.put(d.page, page)
    marks.update(ocg0=ocg0, ocg1=ocg1, ocprops=ocprops, price=price, logo=logo, fontdict=fontdict, res=res,
                 shx=shx, shc=shc, hid=hid, pricef=pricef, ap1=ap1, remark=remark, acro=acro,
                 dangling_c=dangling_c, dangling_a=dangling_a, annarr=annarr, st=st, docel=docel,
                 content=cnum, font=font.num)
    cat["LibsealTestPrep"] = {k: (Ref(v) if k not in ("dangling_c", "dangling_a") else v)
                              for k, v in marks.items()}
    u.put(pdf.root_num, cat)
    # Shadow definitions for hide-and-replace: dead bytes in this revision
    # (no xref entry points at them) with the numbers of live objects.
    u.dead = [(cnum, fake_content()),
              (font.num, helv([48, Name("nine")])),
              (logo, mkstream(b"BT /F1 14 Tf 0 10 Td (Bid bond: 0 YUAN) Tj ET", Type="/XObject",
                            Subtype="/Form", BBox=[0, 0, 300, 30], Resources={"Font": {"F1": font}})),
              (ocprops, {"OCGs": [Ref(ocg0), Ref(ocg1)], "D": {"ON": [Ref(ocg0), Ref(ocg1)], "OFF": []}})]
    return u.write(fmt_of(pdf))


def fmt_of(pdf):
    """An editor saves in the form the file already uses."""
    return "xrefstm" if pdf.trailer.get("Type") == "XRef" else "table"


def text_ap_obj(value):
    return mkstream(b"/Tx BMC BT /Helv 12 Tf 2 5 Td (" + value + b") Tj ET EMC", Type="/XObject",
                  Subtype="/Form", BBox=[0, 0, 200, 20], Resources={"Font": {"Helv": helv()}})


# ---------------------------------------------------------------- attacks
# Each takes the Doc and an Update to fill; returns None, or the whole new
# file for kinds that are not a well-formed update.
def page_with(d, u, **kv):
    p = dict(u.get(d.page))
    p.update(kv)
    u.put(d.page, p)


def contents_list(d, u):
    c = u.get(d.page)["Contents"]
    return list(c) if isinstance(c, list) else [c]


def k_isa_content(d, u):
    page_with(d, u, Contents=contents_list(d, u) + [Ref(u.new(fake_content()))])


def k_isa_override(d, u):
    u.put(d.need("content"), fake_content())


def k_isa_pageobj(d, u):
    page_with(d, u, MediaBox=[0, 0, 300, 300], Rotate=180)


def res_dict(d, u):
    num = d.need("res")
    return num, dict(u.get(num))


def k_res_gain(d, u):
    num, res = res_dict(d, u)
    fx = u.new(white_box(480, 180))
    f9 = u.new(helv())
    res["XObject"] = dict(res["XObject"], Fx8=Ref(fx))
    res["Font"] = dict(u.get(res["Font"].num) if isinstance(res["Font"], Ref) else res["Font"], F9=Ref(f9))
    u.put(num, res)
    draw = u.new(mkstream(b"q 1 0 0 1 60 620 cm /Fx8 Do Q BT /F9 8 Tf 72 40 Td (.) Tj ET"))
    page_with(d, u, Contents=contents_list(d, u) + [Ref(draw)])


def k_res_gain_prepared(d, u):
    # Signed content already draws /Fx9, which the signed /Resources lacked.
    num, res = res_dict(d, u)
    res["XObject"] = dict(res["XObject"], Fx9=Ref(u.new(white_box(480, 120))))
    u.put(num, res)


def k_res_font_override(d, u):
    u.put(d.need("font"), helv([48, Name("nine")]))  # every 0 shows as 9


def k_res_xobj_override(d, u):
    logo = d.need("logo")
    old = u.get(logo)
    d2 = {k: v for k, v in old.dict.items() if k not in ("Filter", "DecodeParms")}
    u.put(logo, Stream(d2, b"BT /F1 14 Tf 0 10 Td (Bid bond: 0 YUAN) Tj ET"))


def k_isa_ap_override(d, u):
    field = d.first_sig()[0]
    ap = u.get(field)["AP"]["N"].num
    u.put(ap, white_box(120, 120, b"VOID"))


def ocprops(d, u, on, off):
    num = d.need("ocprops")
    o = dict(u.get(num))
    o["D"] = dict(o["D"], ON=[Ref(d.need(x)) for x in on], OFF=[Ref(d.need(x)) for x in off])
    u.put(num, o)


def k_ocg_on(d, u):
    ocprops(d, u, ["ocg0", "ocg1"], [])


def k_ocg_off(d, u):
    ocprops(d, u, [], ["ocg0", "ocg1"])


JS = Str(b"this.getField\\('Price'\\).value = '1';")


def k_act_openaction(d, u):
    cat = dict(u.get(d.pdf.root_num))
    cat["OpenAction"] = {"S": Name("JavaScript"), "JS": JS}
    u.put(d.pdf.root_num, cat)


def k_act_aa(d, u):
    page_with(d, u, AA={"O": {"S": Name("JavaScript"), "JS": JS}})


def k_act_names_js(d, u):
    cat = dict(u.get(d.pdf.root_num))
    js = u.new({"S": Name("JavaScript"), "JS": JS})
    cat["Names"] = {"JavaScript": {"Names": [Str(b"price"), Ref(js)]}}
    u.put(d.pdf.root_num, cat)


def k_shadow_hide(d, u):
    # A new annotation whose appearance is an overlay prepared before signing.
    d.add_annot(u, u.new(rect_annot("Square", d.need("shx"), C=[1, 1, 1], IC=[1, 1, 1])))


def k_shadow_replace(d, u):
    # The Price field re-pointed to an appearance prepared before signing.
    f = d.need("pricef")
    fd = dict(u.get(f))
    fd["V"] = Str(b"1")
    fd["AP"] = {"N": Ref(d.need("ap1"))}
    u.put(f, fd)


def k_shadow_hide_replace(d, u):
    # No new object: a new xref section re-points live numbers to the shadow
    # definitions left (unreferenced) in the signed revision.
    for num in (d.need("content"), d.need("font"), d.need("logo"), d.need("ocprops")):
        live = d.pdf.xref[num]
        dead = [o for o in d.pdf.offsets_of(num) if not any(
            s[1].get(num, (None,))[0] == "n" and s[1][num][1] == o for s in d.pdf.sections)]
        if not dead or live[0] != "n":
            sys.exit("no shadow definition of object %d" % num)
        u.entries[num] = dead[-1]


def k_del_font(d, u):
    u.free.append(d.need("font"))


def k_del_ap(d, u):
    u.free.append(u.get(d.first_sig()[0])["AP"]["N"].num)


def k_del_annots(d, u):
    a = u.get(d.page).get("Annots")
    if not isinstance(a, Ref):
        sys.exit("page 1's /Annots is not an indirect array")
    u.free.append(a.num)


def k_del_content(d, u):
    u.free.append(d.need("content"))


def k_repoint_old(d, u):
    num = d.need("content")
    oldest = [s[1][num][1] for s in d.pdf.sections if s[1].get(num, (None,))[0] == "n"][-1]
    if oldest == d.pdf.xref[num][1]:
        sys.exit("object %d has only one definition" % num)
    u.entries[num] = oldest


def k_xref_wrongnum(d, u):
    shc = d.need("shc")
    u.entries[d.need("content")] = d.pdf.xref[shc][1]


def k_dangling_content(d, u):
    u.put(d.need("dangling_c"), fake_content())


def k_dangling_annot(d, u):
    u.put(d.need("dangling_a"), rect_annot("Square", u.new(white_box(480, 180)), C=[1, 1, 1], IC=[1, 1, 1]))


def k_role_metadata(d, u):
    meta = d.need("meta")
    u.put(meta, mkstream(b"% <?xpacket begin=\"\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/><?xpacket end=\"w\"?>\n"
                       b"q 1 1 1 rg 60 620 480 180 re f Q BT /F1 24 Tf 72 740 Td (" + FAKE + b") Tj ET\n",
                       Type="/Metadata", Subtype="/XML"))


def k_role_info(d, u):
    info = d.need("info")
    i = dict(u.get(info))
    i["Producer"] = Str(b"An editor")
    i["ModDate"] = Str(b"D:20260101000000Z")
    i["F1"] = Ref(u.new(helv([48, Name("nine")])))
    u.put(info, i)


def k_dup_annot(d, u):
    ap = u.new(white_box(480, 180))
    tiny = u.new(mkstream(b"", Type="/XObject", Subtype="/Form", BBox=[0, 0, 1, 1]))
    body = (b"<< /Type /Annot /Subtype /Square /Rect [60 620 540 800] /AP << /N %d 0 R >> /F 4 "
            b"/Rect [0 0 1 1] /AP << /N %d 0 R >> >>" % (ap, tiny))
    d.add_annot(u, u.new(body))


def k_dup_page(d, u):
    # The first /Contents draws over the page; the last (MuPDF's) is unchanged.
    page = dict(u.get(d.page))
    orig = page.pop("Contents")
    evil = list(orig) + [Ref(u.new(fake_content()))]
    rest = ser(page)[2:-2]
    u.put(d.page, b"<< /Contents " + ser(evil) + rest + b" /Contents " + ser(orig) + b" >>")


def overlay_annot(d, u, subtype, flags=4, **extra):
    d.add_annot(u, u.new(rect_annot(subtype, u.new(white_box(480, 180)), flags=flags, **extra)))


def k_flag_invisible(d, u):
    overlay_annot(d, u, "Square", flags=1, C=[1, 1, 1], IC=[1, 1, 1])


def k_flag_noview_print(d, u):
    overlay_annot(d, u, "Square", flags=32 | 4, C=[1, 1, 1], IC=[1, 1, 1])


def k_flag_hidden_off(d, u):
    hid = d.need("hid")
    u.put(hid, dict(u.get(hid), F=4))


def k_link_ap(d, u):
    overlay_annot(d, u, "Link", Border=[0, 0, 0])


def k_popup_ap(d, u):
    overlay_annot(d, u, "Popup", Open=True)


def k_needappearances(d, u):
    num, acro = d.acroform(u)
    acro["NeedAppearances"] = True
    acro["DR"] = {"Font": {"Helv": Ref(u.new(helv([48, Name("nine")])))}}
    u.put(num, acro)


def k_evil_sig_unsigned(d, u):
    ap = u.new(white_box(480, 180))
    f = u.new({"FT": Name("Sig"), "T": Str(b"Seal9"), "Type": Name("Annot"), "Subtype": Name("Widget"),
               "Rect": OVER_TEXT, "F": 4, "P": Ref(d.page), "AP": {"N": Ref(ap)}})
    d.add_annot(u, f)
    num, acro = d.acroform(u)
    acro["Fields"] = list(u.get(acro["Fields"].num) if isinstance(acro["Fields"], Ref) else acro["Fields"]) + [Ref(f)]
    u.put(num, acro)


def k_evil_freetext(d, u):
    overlay_annot(d, u, "FreeText", Contents=Str(FAKE), DA=Str(b"/Helv 16 Tf 0 g"), C=[1, 1, 1])


def fields_without(d, u, field):
    num, acro = d.acroform(u)
    acro["Fields"] = [f for f in acro["Fields"] if f.num != field]
    return num, acro


def k_sighide_fields(d, u):
    num, acro = fields_without(d, u, d.first_sig()[0])
    u.put(num, acro)


def k_sighide_annots(d, u):
    # The widget leaves /Annots; a Stamp with the same appearance keeps the
    # seal drawn where it was.
    field = d.first_sig()[0]
    w = u.get(field)
    wpage = w["P"].num
    if wpage != d.page:
        sys.exit("the first signature's widget is not on page 1")
    lst, save = d.annots(u)
    stamp = u.new({"Type": Name("Annot"), "Subtype": Name("Stamp"), "Rect": w["Rect"], "F": 4,
                   "AP": {"N": w["AP"]["N"]}, "Name": Name("Approved")})
    save([a for a in lst if a.num != field] + [Ref(stamp)])


def k_sighide_parent(d, u):
    field = d.first_sig()[0]
    decoy = u.new({"FT": Name("Sig"), "T": Str(b"Decoy"), "Kids": [Ref(field)]})
    w = dict(u.get(field))
    w["Parent"] = Ref(decoy)
    u.put(field, w)
    num, acro = d.acroform(u)
    acro["Fields"] = [Ref(decoy) if f.num == field else f for f in acro["Fields"]]
    u.put(num, acro)


def k_annots_10000(d, u):
    lst, save = d.annots(u)
    link = {"Type": Name("Annot"), "Subtype": Name("Link"), "Rect": [0, 0, 1, 1], "Border": [0, 0, 0]}
    save(lst + [Ref(u.new(dict(link))) for _ in range(10000)])


def k_garbage_eof(d, u):
    # After the last %%EOF, without an xref: a redefinition of page 1's
    # content that a repairing reader picks up, then noise.
    return (d.pdf.data + b"%d 0 obj\n" % d.need("content") + ser(fake_content()) +
            b"\nendobj\n\x00\x01garbage after the end of file\n")


def k_xref_broken(d, u):
    overlay_annot(d, u, "Square", C=[1, 1, 1], IC=[1, 1, 1])
    out = u.write("table")
    # The subsection headers claim one entry more than they hold.
    x = out.rindex(b"\nxref\n") + 6
    nl = out.index(b"\n", x)
    first, count = out[x:nl].split()
    return out[:x] + b"%s %d" % (first, int(count) + 1) + out[nl:]


# ---------------------------------------------------------------- legitimate
def k_fill_empty(d, u):
    f = d.need("remark")
    fd = dict(u.get(f))
    fd["V"] = Str(b"Delivered on time")
    fd["AP"] = {"N": Ref(u.new(text_ap_obj(b"Delivered on time")))}
    u.put(f, fd)


def k_ap_regen(d, u):
    f = d.need("pricef")
    fd = dict(u.get(f))
    fd["AP"] = {"N": Ref(u.new(mkstream(b"/Tx BMC q BT /Helv 12 Tf 0 g 2 5 Td (100) Tj ET Q EMC", Type="/XObject",
                                      Subtype="/Form", BBox=[0, 0, 200, 20],
                                      Resources={"Font": {"Helv": Ref(d.need("font"))}})))}
    u.put(f, fd)


def k_metadata(d, u):
    cat = u.get(d.pdf.root_num)
    meta = cat["Metadata"].num
    old = u.get(meta)
    u.put(meta, Stream({"Type": Name("Metadata"), "Subtype": Name("XML")},
                       old.decoded().replace(b"<rdf:RDF", b"<!-- edited --><rdf:RDF")))
    info = d.pdf.trailer.get("Info")
    if isinstance(info, Ref):
        i = dict(u.get(info.num))
        i["ModDate"] = Str(b"D:20260101000000Z")
        i["Producer"] = Str(b"An editor")
        u.put(info.num, i)


def k_extensions(d, u):
    cat = dict(u.get(d.pdf.root_num))
    cat["Extensions"] = {"ADBE": {"BaseVersion": Name("1.7"), "ExtensionLevel": 8}}
    u.put(d.pdf.root_num, cat)


def k_structtree(d, u):
    # An invisible internal link in the margin, indexed in the structure tree.
    st, docel = d.need("st"), d.need("docel")
    root = dict(u.get(st))
    key = root.get("ParentTreeNextKey", 1)
    link = u.new()
    elem = u.new({"Type": Name("StructElem"), "S": Name("Link"), "P": Ref(docel), "Pg": Ref(d.page),
                  "K": {"Type": Name("OBJR"), "Obj": Ref(link), "Pg": Ref(d.page)}})
    u.put(link, {"Type": Name("Annot"), "Subtype": Name("Link"), "Rect": [40, 40, 60, 60], "Border": [0, 0, 0],
                 "Dest": [Ref(d.pdf.pages()[-1]), Name("Fit")], "StructParent": key, "F": 4})
    de = dict(u.get(docel))
    de["K"] = list(de["K"]) + [Ref(elem)]
    u.put(docel, de)
    tree = dict(root["ParentTree"])
    tree["Nums"] = list(tree["Nums"]) + [key, Ref(elem)]
    root["ParentTree"] = tree
    root["ParentTreeNextKey"] = key + 1
    u.put(st, root)
    d.add_annot(u, link)


def whitebox_art():
    """Seal artwork for a sneaky signature: an opaque white box with text
    (a one-page PDF of the box's size, as `seal sign --seal` takes)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 480 180] /Resources << /Font << /Helv 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            ser(Stream({}, b"1 1 1 rg 0 0 480 180 re f 0 0 0 rg BT /Helv 16 Tf 12 90 Td (" + FAKE + b") Tj ET")),
            ser(helv())]
    out = bytearray(b"%PDF-1.7\n")
    offs = []
    for i, body in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n\r\n" % o for o in offs)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    return bytes(out)


KINDS = {
    # attacks: each must end TOTAL-FAILED with changes_after "disallowed"
    "isa-content": k_isa_content,
    "isa-override": k_isa_override,
    "isa-pageobj": k_isa_pageobj,
    "isa-ap-override": k_isa_ap_override,
    "res-gain": k_res_gain,
    "res-gain-prepared": k_res_gain_prepared,
    "res-font-override": k_res_font_override,
    "res-xobj-override": k_res_xobj_override,
    "ocg-on": k_ocg_on,
    "ocg-off": k_ocg_off,
    "act-openaction": k_act_openaction,
    "act-aa": k_act_aa,
    "act-names-js": k_act_names_js,
    "shadow-hide": k_shadow_hide,
    "shadow-replace": k_shadow_replace,
    "shadow-hide-replace": k_shadow_hide_replace,
    "del-font": k_del_font,
    "del-ap": k_del_ap,
    "del-annots": k_del_annots,
    "del-content": k_del_content,
    "repoint-old": k_repoint_old,
    "xref-wrongnum": k_xref_wrongnum,
    "dangling-content": k_dangling_content,
    "dangling-annot": k_dangling_annot,
    "role-metadata": k_role_metadata,
    "role-info": k_role_info,
    "dup-annot": k_dup_annot,
    "dup-page": k_dup_page,
    "flag-invisible": k_flag_invisible,
    "flag-noview-print": k_flag_noview_print,
    "flag-hidden-off": k_flag_hidden_off,
    "link-ap": k_link_ap,
    "popup-ap": k_popup_ap,
    "needappearances": k_needappearances,
    "evil-sig-unsigned": k_evil_sig_unsigned,
    "evil-freetext": k_evil_freetext,
    "sighide-fields": k_sighide_fields,
    "sighide-annots": k_sighide_annots,
    "sighide-parent": k_sighide_parent,
    "annots-10000": k_annots_10000,
    "garbage-eof": k_garbage_eof,
    "xref-broken": k_xref_broken,
    # legitimate changes: must pass where the signature permits them
    "fill-empty": k_fill_empty,
    "ap-regen": k_ap_regen,
    "metadata": k_metadata,
    "extensions": k_extensions,
    "structtree": k_structtree,
}
LEGACY = ("content", "annot", "override", "pageobj", "flip", "zero", "byterange", "subfilter",
          "addtext", "filltext")
MODES = ("table", "xrefstm", "objstm")


def generate(spec, data):
    """spec: KIND or KIND@MODE; the mutated file's bytes."""
    kind, _, mode = spec.partition("@")
    if kind == "whitebox":
        return whitebox_art()
    if kind == "prepare" or kind == "prepare-roles":
        return prepare(Pdf(data), kind == "prepare-roles")
    if kind in LEGACY and not mode:
        return mutate(kind, data)
    if kind not in KINDS:
        sys.exit("unknown kind %s (mutate.py --list)" % kind)
    pdf = Pdf(data)
    if mode and mode not in MODES:
        sys.exit("unknown mode %s: %s" % (mode, ", ".join(MODES)))
    u = Update(pdf)
    out = KINDS[kind](Doc(pdf), u)
    return out if out is not None else u.write(mode or fmt_of(pdf))


def main(argv):
    if argv == ["--list"]:
        print("\n".join(["prepare", "prepare-roles", "whitebox"] + list(KINDS) + list(LEGACY)))
        return
    if argv[:1] == ["--batch"] and len(argv) >= 3:
        # One interpreter for many kinds (Python's start-up dominates).
        outdir, src = argv[1], argv[2]
        data = open(src, "rb").read()
        for spec in argv[3:]:
            with open(os.path.join(outdir, spec + ".pdf"), "wb") as f:
                f.write(generate(spec, data))
        return
    if argv[:1] == ["--plan"] and len(argv) == 2:
        # Lines "SPEC IN OUT": a whole test's files from one interpreter.
        cache = {}
        for line in (sys.stdin if argv[1] == "-" else open(argv[1])):
            if not line.strip() or line.startswith("#"):
                continue
            spec, src, dst = line.split()
            if src not in cache:
                cache[src] = open(src, "rb").read() if src != "-" else b""
            with open(dst, "wb") as f:
                f.write(generate(spec, cache[src]))
        return
    if len(argv) != 3:
        sys.exit("usage: mutate.py KIND[@table|@xrefstm|@objstm] IN.pdf OUT.pdf\n"
                 "       mutate.py --plan FILE|-   (lines: SPEC IN.pdf OUT.pdf)\n"
                 "       mutate.py --batch OUTDIR IN.pdf SPEC...   (writes OUTDIR/SPEC.pdf)\n"
                 "       mutate.py --list")
    spec, src, dst = argv
    data = open(src, "rb").read()
    out = generate(spec, data)
    with open(dst, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main(sys.argv[1:])
