#!/usr/bin/env python3
"""An independent CMS envelope implementation for the sealed-bid tests.

Written from RFC 5652 (EnvelopedData), RFC 5083/5084 (AuthEnvelopedData,
AES-GCM), RFC 8017 (RSAES-OAEP), RFC 5753 (ECDH with the X9.63 KDF) and
RFC 3394/3565 (AES key wrap), on python3-cryptography's primitives only
(its CMS support cannot do enveloped data) and a small BER reader and DER
writer of its own — nothing from libseal's C.

  envcheck.py decrypt ENVELOPE KEY.pem CERT.pem OUT   (prints what it found)
  envcheck.py encrypt IN OUT CERT.pem...              (AuthEnvelopedData, AES-256-GCM,
                                                       RSA-OAEP-SHA256 / ECDH-SHA256KDF)
"""
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap

OID = {
    "1.2.840.113549.1.9.16.1.23": "authEnvelopedData",
    "1.2.840.113549.1.7.3": "envelopedData",
    "1.2.840.113549.1.7.1": "data",
    "2.16.840.1.101.3.4.1.46": "aes256-GCM",
    "2.16.840.1.101.3.4.1.42": "aes256-CBC",
    "1.2.840.113549.1.1.7": "rsaesOaep",
    "1.2.840.113549.1.1.1": "rsaEncryption",
    "1.2.840.113549.1.1.8": "mgf1",
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "1.3.133.16.840.63.0.2": "stdDH-sha1kdf",
    "1.3.132.1.11.1": "stdDH-sha256kdf",
    "2.16.840.1.101.3.4.1.45": "aes256-wrap",
    "1.2.840.10045.2.1": "ecPublicKey",
}
NAME = {v: k for k, v in OID.items()}
HASH = {"sha1": hashes.SHA1, "sha256": hashes.SHA256}


# ---------------------------------------------------------------- BER reading
class Node:
    def __init__(self, tag, cons, content, children):
        self.tag, self.cons, self.content, self.children = tag, cons, content, children

    def octets(self):
        """The value of an OCTET STRING, primitive or constructed (BER)."""
        if not self.cons:
            return self.content
        return b"".join(c.octets() for c in self.children)


def parse(data, pos=0, depth=0):
    """One BER element at pos: (Node, next position)."""
    if depth > 40:
        raise ValueError("nested too deep")
    tag = data[pos]
    cons = bool(tag & 0x20)
    pos += 1
    n = data[pos]
    pos += 1
    if n == 0x80:
        children = []
        while data[pos:pos + 2] != b"\0\0":
            c, pos = parse(data, pos, depth + 1)
            children.append(c)
        return Node(tag, cons, None, children), pos + 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(data[pos:pos + k], "big")
        pos += k
    end = pos + n
    if end > len(data):
        raise ValueError("truncated")
    content = data[pos:end]
    children = []
    if cons:
        p = pos
        while p < end:
            c, p = parse(data, p, depth + 1)
            children.append(c)
    return Node(tag, cons, content, children), end


def oid_text(node):
    b = node.content
    first = b[0]
    parts = [str(min(first // 40, 2)), str(first - 40 * min(first // 40, 2))]
    v = 0
    for x in b[1:]:
        v = (v << 7) | (x & 0x7F)
        if not x & 0x80:
            parts.append(str(v))
            v = 0
    return ".".join(parts)


def oid_name(node):
    t = oid_text(node)
    return OID.get(t, t)


def der_of(data, node_pos):
    """The exact bytes of the element at a position (for DER elements)."""
    _, end = parse(data, node_pos)
    return data[node_pos:end]


# ---------------------------------------------------------------- DER writing
def tlv(tag, body):
    n = len(body)
    if n < 128:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + body


def seq(*items):
    return tlv(0x30, b"".join(items))


def oid(name):
    parts = [int(x) for x in NAME[name].split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for v in parts[2:]:
        enc = [v & 0x7F]
        v >>= 7
        while v:
            enc.append(0x80 | (v & 0x7F))
            v >>= 7
        body += bytes(reversed(enc))
    return tlv(0x06, body)


def integer(v):
    b = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big")
    return tlv(0x02, b)


def octets(b):
    return tlv(0x04, b)


def ias(cert):
    return seq(cert.issuer.public_bytes(), integer(cert.serial_number))


def shared_info(wrap_alg_der, ukm, keybits):
    body = wrap_alg_der
    if ukm is not None:
        body += tlv(0xA0, octets(ukm))
    body += tlv(0xA2, octets(keybits.to_bytes(4, "big")))
    return seq(body)


# ---------------------------------------------------------------- decrypt
def unwrap_ktri(ri, key):
    version, rid, alg, ek = ri.children
    name = oid_name(alg.children[0])
    if name == "rsaEncryption":
        return key.decrypt(ek.content, padding.PKCS1v15()), "RSA-PKCS1-v1_5"
    assert name == "rsaesOaep", name
    h, m = "sha1", "sha1"
    for p in alg.children[1].children if len(alg.children) > 1 else []:
        if p.tag == 0xA0:
            h = oid_name(p.children[0].children[0])
        elif p.tag == 0xA1:
            m = oid_name(p.children[0].children[1].children[0])
    pad = padding.OAEP(mgf=padding.MGF1(HASH[m]()), algorithm=HASH[h](), label=None)
    return key.decrypt(ek.content, pad), "RSAES-OAEP-%s" % h.upper()


def unwrap_kari(ri, key, cert, keylen):
    kids = ri.children
    originator = kids[1].children[0]
    assert originator.tag == 0xA1, "originatorKey expected"
    point = originator.children[1].content[1:]
    i = 2
    ukm = None
    if kids[i].tag == 0xA1:
        ukm = kids[i].children[0].content
        i += 1
    alg = kids[i]
    kdf = oid_name(alg.children[0])
    wrap = alg.children[1]
    wrap_der = tlv(0x30, wrap.content)
    rek = kids[i + 1].children
    peer = ec.EllipticCurvePublicKey.from_encoded_point(key.curve, point)
    z = key.exchange(ec.ECDH(), peer)
    h = {"stdDH-sha1kdf": hashes.SHA1, "stdDH-sha256kdf": hashes.SHA256}[kdf]
    kek = X963KDF(algorithm=h(), length=32, sharedinfo=shared_info(wrap_der, ukm, 256)).derive(z)
    for r in rek:
        issuer_serial = r.children[0]
        serial = int.from_bytes(issuer_serial.children[1].content, "big")
        if serial == cert.serial_number:
            return aes_key_unwrap(kek, r.children[1].content), "ECDH-%s" % kdf
    raise ValueError("no RecipientEncryptedKey for this certificate")


def decrypt(path, key_path, cert_path, out):
    data = open(path, "rb").read()
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
    cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
    ci, end = parse(data)
    assert end == len(data), "data after the envelope"
    kind = oid_name(ci.children[0])
    env = ci.children[1].children[0]
    kids = env.children
    i = 1
    if kids[i].tag == 0xA0:
        i += 1
    recips = kids[i].children
    eci = kids[i + 1]
    cek = how = None
    for ri in recips:
        if ri.tag == 0x30 and isinstance(key, rsa.RSAPrivateKey):
            serial = int.from_bytes(ri.children[1].children[1].content, "big")
            if serial == cert.serial_number:
                cek, how = unwrap_ktri(ri, key)
        elif ri.tag == 0xA1 and isinstance(key, ec.EllipticCurvePrivateKey):
            try:
                cek, how = unwrap_kari(ri, key, cert, 32)
            except ValueError:
                pass
    if cek is None:
        raise SystemExit("envcheck: no recipient for this key")
    calg = eci.children[1]
    cname = oid_name(calg.children[0])
    ct = eci.children[2].octets()
    if kind == "authEnvelopedData":
        assert cname == "aes256-GCM", cname
        prm = calg.children[1].children
        nonce = prm[0].content
        taglen = int.from_bytes(prm[1].content, "big") if len(prm) > 1 else 12
        tag = kids[i + 2].content
        assert len(tag) == taglen
        plain = AESGCM(cek).decrypt(nonce, ct + tag, None) if taglen == 16 else None
    else:
        assert cname == "aes256-CBC", cname
        iv = calg.children[1].content
        d = Cipher(algorithms.AES(cek), modes.CBC(iv)).decryptor()
        p = d.update(ct) + d.finalize()
        plain = p[: -p[-1]]
    open(out, "wb").write(plain)
    print("%s %s %s %d recipients" % (kind, cname, how, len(recips)))


# ---------------------------------------------------------------- encrypt
def encrypt(inp, out, certs):
    plain = open(inp, "rb").read()
    cek, nonce = os.urandom(32), os.urandom(12)
    infos = []
    for path in certs:
        cert = x509.load_pem_x509_certificate(open(path, "rb").read())
        pub = cert.public_key()
        if isinstance(pub, rsa.RSAPublicKey):
            sha = seq(oid("sha256"))
            params = seq(tlv(0xA0, sha), tlv(0xA1, seq(oid("mgf1"), sha)))
            pad = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
            ek = pub.encrypt(cek, pad)
            infos.append(seq(integer(0), ias(cert), seq(oid("rsaesOaep"), params), octets(ek)))
        else:
            eph = ec.generate_private_key(pub.curve)
            point = eph.public_key().public_bytes(serialization.Encoding.X962,
                                                  serialization.PublicFormat.UncompressedPoint)
            wrap = seq(oid("aes256-wrap"))
            kek = X963KDF(algorithm=hashes.SHA256(), length=32,
                          sharedinfo=shared_info(wrap, None, 256)).derive(eph.exchange(ec.ECDH(), pub))
            orig = tlv(0xA0, tlv(0xA1, seq(oid("ecPublicKey")) + tlv(0x03, b"\0" + point)))
            rek = seq(seq(ias(cert), octets(aes_key_wrap(kek, cek))))
            infos.append(tlv(0xA1, integer(3) + orig + seq(oid("stdDH-sha256kdf"), wrap) + rek))
    sealed = AESGCM(cek).encrypt(nonce, plain, None)
    ct, tag = sealed[:-16], sealed[-16:]
    eci = seq(oid("data"), seq(oid("aes256-GCM"), seq(octets(nonce), integer(16))), tlv(0x80, ct))
    aed = seq(integer(0), tlv(0x31, b"".join(infos)), eci, octets(tag))
    open(out, "wb").write(seq(oid("authEnvelopedData"), tlv(0xA0, aed)))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "decrypt":
        decrypt(*sys.argv[2:])
    elif len(sys.argv) >= 5 and sys.argv[1] == "encrypt":
        encrypt(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
