#!/usr/bin/env python3
"""Check a PAdES B-T / B-LT / B-LTA file independently, with OpenSSL: the
time-stamps, the /DSS and what it covers. For tests of files seal wrote.

    ltvcheck.py FILE --root ROOT.pem [--level B-T|B-LT|B-LTA] [--dts N]
                [--extract DIR]

For every CAdES signature (SubFilter ETSI.CAdES.detached):
  * its signature-time-stamp token (unsigned attribute id-aa-signatureTimeStampToken)
    verifies with `openssl ts -verify -digest SHA256(signature value)`
    against ROOT (the token must carry its chain);
For every document time-stamp (SubFilter ETSI.RFC3161): the token verifies
  with `openssl ts -verify -data SIGNED-BYTES` against ROOT.
/DSS (read with qpdf): every OCSP response verifies (`openssl ocsp -respin`,
  against ROOT, with the DSS and CMS certificates as untrusted), every CRL
  verifies (`openssl crl -verify`); coverage: each certificate of the signers'
  and TSAs' chains except the root has an OCSP answer in the DSS or a CRL of
  its issuer there.
--level: B-T needs a valid signature time-stamp on every CAdES signature;
  B-LT also a DSS covering them; B-LTA also a document time-stamp whose signed
  bytes include the DSS. --dts N: exactly N document time-stamps.

Prints a JSON report (per signature: gen_time, tsa, policy, token_ok; per DSS
entry: kind, subject serials and statuses, ok; coverage), then exits 1 if a
check failed (the failures are listed under "errors"), 0 otherwise.
Python standard library, openssl and qpdf.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfsigs  # noqa: E402  (tlv, children, oid_str, scan)

OID_SIG_TST = "1.2.840.113549.1.9.16.2.14"


def openssl(*argv, check=False):
    p = subprocess.run(["openssl"] + list(argv), capture_output=True, timeout=60)
    if check and p.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(argv[:2]), p.stderr.decode(errors="replace")[-500:]))
    return p


def last_line(p):
    lines = (p.stderr or b"").decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else "exit %d" % p.returncode


def signer_info(der):
    """(signature value bytes, [unsigned attribute (oid, value-set content bytes)])."""
    t, s, e = pdfsigs.tlv(der, 0)
    ci = pdfsigs.children(der, s, e)
    t, s, e = pdfsigs.tlv(der, ci[1][1], ci[1][2])
    sd = pdfsigs.children(der, s, e)
    sis = pdfsigs.children(der, sd[-1][1], sd[-1][2])
    si = pdfsigs.children(der, sis[0][1], sis[0][2])
    sig = None
    unsigned = []
    for i, (tag, cs, ce) in enumerate(si):
        if tag == 0x04:
            sig = der[cs:ce]
        if tag == 0xA1 and i == len(si) - 1:
            for a in pdfsigs.children(der, cs, ce):
                parts = pdfsigs.children(der, a[1], a[2])
                unsigned.append((pdfsigs.oid_str(der[parts[0][1]:parts[0][2]]), der[parts[1][1]:parts[1][2]]))
    return sig, unsigned


def token_info(path):
    """gen_time, tsa, policy from a TimeStampToken (ContentInfo DER) file."""
    p = openssl("ts", "-reply", "-in", path, "-token_in", "-text", "-token_out")
    txt = p.stdout.decode(errors="replace")
    get = lambda k: (re.search(r"^%s: (.*)$" % k, txt, re.M) or [None, None])[1]
    return {"gen_time": get("Time stamp"), "tsa": get("TSA"), "policy": get("Policy OID")}


def cms_signer_cert(cms, content, out):
    """Write the signer certificate of a CMS (detached if content) to out."""
    args = ["cms", "-verify", "-noverify", "-binary", "-inform", "DER", "-in", cms, "-signer", out,
            "-out", os.devnull]
    if content:
        args += ["-content", content]
    return openssl(*args).returncode == 0 and os.path.exists(out)


def cms_certs(cms, out):
    p = openssl("pkcs7", "-inform", "DER", "-in", cms, "-print_certs", "-out", out)
    return p.returncode == 0


def split_pem(path):
    if not os.path.exists(path):
        return []
    txt = open(path).read()
    return re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n", txt, re.S)


def cert_fields(pem_text, work):
    f = os.path.join(work, "c.%d.pem" % (hash(pem_text) & 0xFFFFFFF))
    open(f, "w").write(pem_text)
    p = openssl("x509", "-in", f, "-noout", "-serial", "-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb")
    txt = p.stdout.decode(errors="replace")
    g = lambda k: re.search(r"^%s=(.*)$" % k, txt, re.M).group(1).strip()
    return {"serial": g("serial").upper().lstrip("0") or "0", "subject": g("subject"), "issuer": g("issuer"),
            "pem": f}


def load_dss(path):
    """(certs, ocsps, crls): lists of DER bytes from the document's /DSS (qpdf)."""
    p = subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", "--json-stream-data=inline", path],
                       capture_output=True, timeout=120)
    if p.returncode not in (0, 3):
        raise RuntimeError("qpdf: " + p.stderr.decode(errors="replace")[-300:])
    objs = json.loads(p.stdout)["qpdf"][1]

    def obj(ref):
        return objs.get("obj:" + ref) if isinstance(ref, str) and re.fullmatch(r"\d+ \d+ R", ref) else None

    def val(v):
        for _ in range(32):
            o = obj(v)
            if o is None:
                return v
            v = o.get("value", o)
        return v

    trailer = objs.get("trailer", {}).get("value", {})
    root = val(trailer.get("/Root"))
    dss = val(root.get("/DSS")) if isinstance(root, dict) else None
    if not isinstance(dss, dict):
        return None

    def streams(key):
        out = []
        arr = val(dss.get(key)) or []
        for ref in arr:
            o = obj(ref)
            if o and "stream" in o and "data" in o["stream"]:
                out.append(base64.b64decode(o["stream"]["data"]))
        return out

    return {"certs": streams("/Certs"), "ocsps": streams("/OCSPs"), "crls": streams("/CRLs")}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--root", required=True)
    ap.add_argument("--level", choices=("B-T", "B-LT", "B-LTA"))
    ap.add_argument("--dts", type=int)
    ap.add_argument("--extract", help="keep the extracted tokens, certificates and DSS entries here")
    a = ap.parse_args(argv)

    work = a.extract or tempfile.mkdtemp(prefix="ltvcheck.")
    os.makedirs(work, exist_ok=True)
    errors = []
    report = {"file": a.file, "signatures": [], "dss": None, "errors": errors}
    try:
        scan = pdfsigs.scan(a.file, extract=work)
        chain_certs = []    # PEM texts: certificates whose revocation the DSS should cover
        all_certs = []      # every certificate seen (untrusted pool)
        dts_signed = []
        for n, s in enumerate(scan["signatures"], 1):
            sub = s["dict"].get("SubFilter")
            der_f, bin_f = os.path.join(work, "sig%d.der" % n), os.path.join(work, "sig%d.bin" % n)
            ent = {"n": n, "subfilter": sub}
            report["signatures"].append(ent)
            if not os.path.exists(der_f):
                errors.append("signature %d: no /Contents to check" % n)
                continue
            certs_f = os.path.join(work, "sig%d.certs.pem" % n)
            cms_certs(der_f, certs_f)
            all_certs += split_pem(certs_f)
            if sub == "ETSI.CAdES.detached":
                signer_f = os.path.join(work, "sig%d.signer.pem" % n)
                if cms_signer_cert(der_f, bin_f, signer_f):
                    chain_certs += split_pem(signer_f)
                sig, unsigned = signer_info(open(der_f, "rb").read())
                toks = [v for o, v in unsigned if o == OID_SIG_TST]
                ent["timestamp"] = bool(toks)
                if not toks:
                    if a.level:
                        errors.append("signature %d: no signature time-stamp (needed for %s)" % (n, a.level))
                    continue
                tok_f = os.path.join(work, "sig%d.tst" % n)
                open(tok_f, "wb").write(toks[0])
                ent.update(token_info(tok_f))
                p = openssl("ts", "-verify", "-digest", hashlib.sha256(sig).hexdigest(), "-token_in",
                            "-in", tok_f, "-CAfile", a.root)
                ent["token_ok"] = p.returncode == 0
                if not ent["token_ok"]:
                    errors.append("signature %d: the signature time-stamp does not verify: %s" % (n, last_line(p)))
                tsa_f = os.path.join(work, "sig%d.tsa.pem" % n)
                if cms_signer_cert(tok_f, None, tsa_f):
                    chain_certs += split_pem(tsa_f)
                tcerts = os.path.join(work, "sig%d.tst.certs.pem" % n)
                cms_certs(tok_f, tcerts)
                all_certs += split_pem(tcerts)
            elif sub == "ETSI.RFC3161":
                ent.update(token_info(der_f))
                p = openssl("ts", "-verify", "-data", bin_f, "-token_in", "-in", der_f, "-CAfile", a.root)
                ent["token_ok"] = p.returncode == 0
                if not ent["token_ok"]:
                    errors.append("document time-stamp %d does not verify: %s" % (n, last_line(p)))
                tsa_f = os.path.join(work, "sig%d.tsa.pem" % n)
                if cms_signer_cert(der_f, None, tsa_f):
                    chain_certs += split_pem(tsa_f)
                dts_signed.append(open(bin_f, "rb").read())
            else:
                errors.append("signature %d: SubFilter %s" % (n, sub))
        if a.level and not any(e.get("subfilter") == "ETSI.CAdES.detached" for e in report["signatures"]):
            errors.append("no CAdES signature (%s expected)" % a.level)
        ndts = len(dts_signed)
        report["document_timestamps"] = ndts
        if a.dts is not None and ndts != a.dts:
            errors.append("%d document time-stamps, expected %d" % (ndts, a.dts))

        # The DSS.
        dss = load_dss(a.file)
        if dss is None:
            if a.level in ("B-LT", "B-LTA"):
                errors.append("no /DSS in the catalog (needed for %s)" % a.level)
        else:
            rep = {"certs": len(dss["certs"]), "ocsps": [], "crls": []}
            report["dss"] = rep
            pool = os.path.join(work, "untrusted.pem")
            dss_pems = []
            for i, c in enumerate(dss["certs"]):
                f = os.path.join(work, "dss.cert%d.der" % i)
                open(f, "wb").write(c)
                p = openssl("x509", "-inform", "DER", "-in", f)
                if p.returncode != 0:
                    errors.append("DSS certificate %d does not parse" % i)
                else:
                    dss_pems.append(p.stdout.decode())
            with open(pool, "w") as fh:
                fh.write("".join(dict.fromkeys(all_certs + dss_pems)))
            # Chains: add the issuers of what we have, from the pool, up to the root.
            pool_fields = [cert_fields(x, work) for x in dict.fromkeys(all_certs + dss_pems)]
            root_subject = cert_fields(open(a.root).read(), work)["subject"]
            need, seen = [], set()
            todo = [cert_fields(x, work) for x in dict.fromkeys(chain_certs)]
            while todo:
                c = todo.pop()
                key = (c["issuer"], c["serial"])
                if key in seen or c["subject"] == root_subject:
                    continue
                seen.add(key)
                need.append(c)
                todo += [p for p in pool_fields if p["subject"] == c["issuer"]]
            covered = {}
            for i, o in enumerate(dss["ocsps"]):
                f = os.path.join(work, "dss.ocsp%d.der" % i)
                open(f, "wb").write(o)
                p = openssl("ocsp", "-respin", f, "-resp_text", "-CAfile", a.root, "-verify_other", pool)
                txt = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
                ok = p.returncode == 0 and "Response verify OK" in txt
                singles = re.findall(r"Serial Number: ([0-9A-Fa-f]+)\s+Cert Status: (\w+)", txt)
                rep["ocsps"].append({"ok": ok, "status": {s.upper().lstrip("0"): st for s, st in singles},
                                     "this_update": (re.search(r"This Update: (.*)", txt) or [None, None])[1]})
                if not ok:
                    errors.append("DSS OCSP response %d does not verify" % i)
                for s_, st in singles:
                    if ok:
                        covered.setdefault(("ocsp", s_.upper().lstrip("0")), st)
            for i, c in enumerate(dss["crls"]):
                f = os.path.join(work, "dss.crl%d.der" % i)
                open(f, "wb").write(c)
                p = openssl("crl", "-inform", "DER", "-in", f, "-CAfile", pool, "-noout", "-issuer", "-text",
                            "-nameopt", "RFC2253,-esc_msb")
                txt = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
                issuer = (re.search(r"^issuer=(.*)$", txt, re.M) or [None, ""])[1].strip()
                # -CAfile for a CRL only needs its issuer: the pool holds it (trust comes from the chain checks).
                ok = p.returncode == 0 and "verify OK" in txt
                revoked = [x.upper().lstrip("0") for x in re.findall(r"Serial Number: ([0-9A-Fa-f]+)", txt)]
                rep["crls"].append({"ok": ok, "issuer": issuer, "revoked": revoked})
                if not ok:
                    errors.append("DSS CRL %d (%s) does not verify" % (i, issuer))
                else:
                    covered.setdefault(("crl", issuer), revoked)
            cov = []
            for c in need:
                via = None
                if ("ocsp", c["serial"]) in covered:
                    via = "ocsp:" + covered[("ocsp", c["serial"])]
                elif ("crl", c["issuer"]) in covered:
                    via = "crl:" + ("revoked" if c["serial"] in covered[("crl", c["issuer"])] else "good")
                cov.append({"subject": c["subject"], "serial": c["serial"], "via": via})
                if via is None and a.level in ("B-LT", "B-LTA"):
                    errors.append("no revocation data in the DSS for %s (serial %s)" % (c["subject"], c["serial"]))
            rep["coverage"] = cov
        if a.level == "B-LTA":
            if not dts_signed:
                errors.append("no document time-stamp (needed for B-LTA)")
            elif b"/DSS" not in dts_signed[-1]:
                errors.append("the last document time-stamp does not cover the DSS")
    except (RuntimeError, pdfsigs.DerError, IndexError, ValueError, OSError, subprocess.TimeoutExpired) as e:
        errors.append("%s: %s" % (type(e).__name__, e))
    finally:
        if not a.extract:
            shutil.rmtree(work, ignore_errors=True)
    json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
