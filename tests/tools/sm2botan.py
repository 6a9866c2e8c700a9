#!/usr/bin/python3
# The SM2 signature of a signed PDF's last SignerInfo checked by Botan
# (python3-botan, Debian), independently of OpenSSL: SM3withSM2 with the ID
# 1234567812345678 over the DER signed attributes as they are in the file,
# with the public key of the certificate the SignerInfo names.
#   sm2botan.py SIGNED.pdf      prints "botan: verified" and exits 0, or 1
# Run with Debian's python3 (botan2 is installed there).
# SPDX-License-Identifier: AGPL-3.0-or-later
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import botan2  # noqa: E402
from cmsedit import Node, certs_node, load, signed_data, signer_infos, tlv  # noqa: E402


def public_point(cert):
    tbs = cert.kids[0]
    spki = tbs.kids[6 if tbs.kids[0].tag == 0xA0 else 5]
    point = spki.kids[1].body[1:]  # BIT STRING: unused-bits octet, then 04||x||y
    if point[0] != 4 or len(point) != 65:
        sys.exit("botan: not an uncompressed P-256-sized point")
    return int.from_bytes(point[1:33], "big"), int.from_bytes(point[33:], "big")


def main(path):
    _, _, _, cms = load(path)
    sd = signed_data(cms)
    si = signer_infos(sd).kids[0]
    sid = si.kids[1].encode()
    cert = next(x for x in certs_node(sd).kids
                if tlv(0x30, x.kids[0].kids[3].encode() + x.kids[0].kids[1].encode()) == sid)
    attrs = next(k for k in si.kids if k.tag == 0xA0)
    signed = b"\x31" + attrs.raw[1:]
    value = next(k for k in si.kids if k.tag == 0x04).body
    x, y = public_point(cert)
    key = botan2.PublicKey.load_sm2("sm2p256v1", x, y)
    v = botan2.PKVerify(key, "1234567812345678,SM3", der=True)
    v.update(signed)
    ok = v.check_signature(value)
    print("botan: %s" % ("verified" if ok else "NOT verified"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
