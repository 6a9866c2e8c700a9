#!/usr/bin/env python3
# Rewrites the GB/T 38540 SES_Signature in the last signature's /Contents of
# a PDF signed with seal sign --format ses, as an attacker holding the
# signer's key could: /Contents lies outside the ByteRange, so the dataHash
# still matches and only the SES_Signature changes.
#
#   sestamper.py IN.pdf OUT.pdf SIGNER.key [--seal OTHER.esl] [--flip-value]
#
# --seal puts another SES_Seal into TBS_Sign and signs TBS_Sign again with
# SIGNER.key (SM2 with the ID 1234567812345678, through openssl); without it
# the TBS_Sign is signed again unchanged. --flip-value then flips one bit
# of the signature value.
# SPDX-License-Identifier: AGPL-3.0-or-later
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cmsedit import Node, load, save, tlv  # noqa: E402


def sm2_sign(key, data):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return subprocess.run(["openssl", "dgst", "-sm3", "-sign", key, "-sigopt", "distid:1234567812345678",
                               f.name], check=True, capture_output=True).stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("pdf")
    p.add_argument("out")
    p.add_argument("key")
    p.add_argument("--seal")
    p.add_argument("--flip-value", action="store_true")
    a = p.parse_args()
    data, b, c, ses = load(a.pdf)
    tbs = ses.kids[0]
    if a.seal:
        tbs.kids[1] = Node(open(a.seal, "rb").read())
    value = sm2_sign(a.key, tbs.encode())
    if a.flip_value:
        value = value[:-1] + bytes([value[-1] ^ 1])
    ses.kids[3] = Node(tlv(0x03, b"\0" + value))
    save(a.out, data, b, c, ses)


if __name__ == "__main__":
    main()
