#!/usr/bin/env python3
"""Real long-term-validation services on loopback for the tests.

One process, five HTTP listeners on 127.0.0.1, each on its own port:

  tsa   RFC 3161 time-stamping: POST application/timestamp-query (any path)
        -> `openssl ts -reply -config PKI/tsa.cnf -queryfile Q -signer tsa.pem
        -inkey tsa.key -chain tsa-chain.pem` -> 200 application/timestamp-reply.
        A query OpenSSL cannot parse gets OpenSSL's own rejection reply
        (status rejection, badDataFormat), as from a real TSA. Another
        Content-Type is refused with 415.
  ocsp  OCSP (RFC 6960): POST application/ocsp-request, or GET /BASE64 ->
        `openssl ocsp -index PKI/db/index.txt -CA issuing.pem -rsigner ocsp.pem
        -rkey ocsp.key -reqin Q -respout R` run per request, so every answer
        reflects the index as it is now (revocations made after start are seen
        at once). Unparseable request -> a malformedRequest OCSPResponse.
  crl   GET /NAME serves PKI/crl/NAME (issuing.crl, root.crl: DER CRLs,
        application/pkix-crl; *.cer: application/pkix-cert), read per request.
  proxy an HTTP forward proxy (for tests of the proxy variables) that forwards
        only to the services above: absolute-form requests for
        http://tsa.ltv.test/, http://ocsp.ltv.test/..., http://crl.ltv.test/...
        (names that resolve nowhere else, so an answer proves the proxy was
        used) or http://127.0.0.1:PORT/... with PORT a service's; anything
        else 403, CONNECT 405.
  ctl   control, for the tests (never part of what seal talks to):
          GET /ping                                   -> "ok"
          GET /state                                  -> JSON: ports, faults, counts
          GET /fault?service=S&mode=M[&count=N][&seconds=X][&status=C]
          GET /stop?service=S    close S's listening socket (connection refused)
          GET /start?service=S   listen again on the same port
          GET /reset             clear faults and counters, start stopped services
        Fault modes (S is tsa, ocsp, crl or proxy; count N = only the next N requests,
        0 = until changed; the fault's requests are counted like others):
          ok        normal service
          status    answer HTTP C (default 500) with a text body
          hang      read the request, then send nothing for X seconds (default
                    --hang-seconds) and close
          delay     wait X seconds, then serve normally
          close     read the request, then close the connection without an answer
          garbage   200 with the right Content-Type and a body that is not DER
          wrongtype 200 with the real answer but Content-Type text/html
        and, well-formed answers a careful client must refuse:
          tsa  rejected     a TimeStampResp with status rejection (from openssl ts)
               mismatch     a valid token for another query (other imprint and nonce)
               rogue        a token signed by rogue/tsa.pem: the TSA's name and serial,
                            another key, a CA outside the PKI
          ocsp trylater     OCSPResponse status tryLater, no response bytes
               unauthorized OCSPResponse status unauthorized
               rogue        the real answer signed by rogue/ocsp.pem (outside the PKI)
               noeku        the real answer signed by signer2.pem: issued by the issuing
                            CA, but not for OCSP signing (no id-kp-OCSPSigning)
               sha256       the real answer, naming the certificate by a SHA-256 CertID
                            (the request is re-made with SHA-256 hashes)

Usage:
  python3 ltvserve.py --pki DIR --run-file FILE [--tsa-port N] [--ocsp-port N]
      [--crl-port N] [--proxy-port N] [--ctl-port N] [--log FILE] [--watch-pid PID]
      [--max-seconds S] [--hang-seconds S]
Ports default to the environment (LTV_TSA_PORT, LTV_OCSP_PORT, LTV_CRL_PORT,
LTV_PROXY_PORT, LTV_CTL_PORT), then for ocsp and crl to PKI/env (the ports the certificates
name), else 0 (any free port). When every listener is bound, FILE is written
(atomically) as shell assignments: LTV_SERVE_PID, LTV_TSA_PORT, LTV_TSA_URL,
LTV_OCSP_PORT, LTV_OCSP_URL, LTV_CRL_PORT, LTV_CRL_URL, LTV_PROXY_PORT,
LTV_PROXY_URL, LTV_CTL_PORT, LTV_CTL_URL. It is removed again on exit.

Exits 0 on SIGTERM/SIGINT, when --watch-pid's process is gone, or after
--max-seconds (default 1800); 3 if a port cannot be bound; 2 on bad usage.
Every request is bounded: socket time-outs, a size limit, openssl time-outs.
Python standard library only.
"""

import argparse
import base64
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
MAX_BODY = 1 << 20
OPENSSL_TIMEOUT = 30
SERVICES = ("tsa", "ocsp", "crl", "proxy")
# Host names the proxy forwards to the services (they resolve nowhere else).
PROXY_NAMES = {"tsa.ltv.test": "tsa", "ocsp.ltv.test": "ocsp", "crl.ltv.test": "crl"}
MODES = ("ok", "status", "hang", "delay", "close", "garbage", "wrongtype")
# Protocol-level faults: well-formed answers a careful client must not accept.
SERVICE_MODES = {"tsa": ("rejected", "mismatch", "rogue"),
                 "ocsp": ("trylater", "unauthorized", "rogue", "noeku", "sha256"),
                 "crl": (), "proxy": ()}
# OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED } (no responseBytes):
# malformedRequest(1), tryLater(3), unauthorized(6).
OCSP_MALFORMED = bytes.fromhex("30030a0101")
OCSP_STATUS = {"trylater": bytes.fromhex("30030a0103"), "unauthorized": bytes.fromhex("30030a0106")}


class State:
    def __init__(self, args):
        self.args = args
        self.pki = args.pki
        self.work = args.work
        self.stop = threading.Event()
        self.lock = threading.Lock()        # faults, counters, log
        self.tsa_lock = threading.Lock()    # openssl ts updates the serial file
        self.faults = {s: {"mode": "ok", "count": 0, "seconds": 0.0, "status": 500} for s in SERVICES}
        self.counts = {s: {"requests": 0, "faulted": 0} for s in SERVICES}
        self.servers = {}
        self.ports = {}
        self.logf = open(args.log, "a", encoding="utf-8") if args.log else None

    def log(self, **rec):
        rec["t"] = round(time.time(), 3)
        line = json.dumps(rec, ensure_ascii=False)
        with self.lock:
            if self.logf:
                self.logf.write(line + "\n")
                self.logf.flush()

    def take_fault(self, service):
        """Count a request to SERVICE and return the fault to apply (a dict copy)."""
        with self.lock:
            self.counts[service]["requests"] += 1
            f = self.faults[service]
            cur = dict(f)
            if f["mode"] != "ok":
                self.counts[service]["faulted"] += 1
                if f["count"] > 0:
                    f["count"] -= 1
                    if f["count"] == 0:
                        f["mode"] = "ok"
            return cur

    def snapshot(self):
        with self.lock:
            return {
                "pid": os.getpid(),
                "ports": dict(self.ports),
                "running": {s: s in self.servers for s in SERVICES},
                "faults": json.loads(json.dumps(self.faults)),
                "counts": json.loads(json.dumps(self.counts)),
            }


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 32

    def __init__(self, port, handler, state, service):
        self.state = state
        self.service = service
        super().__init__((HOST, port), handler)


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 so that "Expect: 100-continue" (libcurl, bodies over 1 KiB) is
    # answered at once; every answer says "Connection: close".
    protocol_version = "HTTP/1.1"
    timeout = 15
    server_version = "ltvserve/1"

    # -------------------------------------------------------------- plumbing
    def log_message(self, fmt, *a):  # quiet: the JSON log has it all
        pass

    @property
    def st(self):
        return self.server.state

    def body(self):
        te = self.headers.get("Transfer-Encoding", "").lower()
        if "chunked" in te:
            out = bytearray()
            for _ in range(4096):
                line = self.rfile.readline(100)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline(100)
                    return bytes(out)
                if len(out) + size > MAX_BODY:
                    raise ValueError("body too large")
                out += self.rfile.read(size)
                self.rfile.readline(100)
            raise ValueError("too many chunks")
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def reply(self, code, ctype, data, fault="ok"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.st.log(service=self.server.service, method=self.command, path=self.path[:200],
                    status=code, bytes=len(data), fault=fault)

    def drop(self, fault):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.st.log(service=self.server.service, method=self.command, path=self.path[:200],
                    status=0, bytes=0, fault=fault)

    def serve(self, produce):
        """Apply the service's fault, else answer with produce() -> (code, ctype, data)."""
        f = self.st.take_fault(self.server.service)
        mode = f["mode"]
        try:
            if mode == "status":
                code = int(f["status"])
                return self.reply(code, "text/plain", b"ltvserve: injected HTTP %d\n" % code, "status")
            if mode == "hang":
                self.st.stop.wait(f["seconds"] or self.st.args.hang_seconds)
                return self.drop("hang")
            if mode == "close":
                return self.drop("close")
            if mode == "delay":
                if self.st.stop.wait(f["seconds"]):
                    return self.drop("delay")
            try:
                code, ctype, data = produce(mode)
            except (subprocess.SubprocessError, OSError) as e:
                code, ctype, data = 500, "text/plain", ("ltvserve: %s\n" % e).encode()
            if mode == "garbage" and code == 200:
                return self.reply(200, ctype, b"ltvserve: this is not DER\n", "garbage")
            if mode == "wrongtype" and code == 200:
                return self.reply(200, "text/html", data, "wrongtype")
            return self.reply(code, ctype, data, mode)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True

    def openssl(self, argv):
        return subprocess.run(["openssl"] + argv, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=OPENSSL_TIMEOUT, cwd=self.st.pki)

    # -------------------------------------------------------------- services
    def do_GET(self):
        s = self.server.service
        if s == "ctl":
            return self.ctl()
        if s == "proxy":
            return self.serve(lambda mode: self.forward(None))
        if s == "crl":
            return self.serve(self.crl)
        if s == "ocsp":
            return self.serve(self.ocsp_get)
        return self.serve(lambda mode: (405, "text/plain", b"POST an application/timestamp-query\n"))

    def do_HEAD(self):
        if self.server.service == "proxy":
            return self.serve(lambda mode: self.forward(None))
        if self.server.service == "crl":
            return self.serve(self.crl)
        return self.reply(405, "text/plain", b"")

    def do_POST(self):
        s = self.server.service
        try:
            data = self.body()
        except (ValueError, OSError):
            return self.reply(413, "text/plain", b"request body too large or malformed\n")
        if s == "tsa":
            return self.serve(lambda mode: self.tsa(data, mode))
        if s == "ocsp":
            return self.serve(lambda mode: self.ocsp(data, self.headers.get("Content-Type", ""), mode))
        if s == "proxy":
            return self.serve(lambda mode: self.forward(data))
        return self.reply(405, "text/plain", b"method not allowed\n")

    def do_CONNECT(self):
        return self.reply(405, "text/plain", b"ltvserve proxy: no CONNECT (http:// only)\n")

    def forward(self, body):
        """HTTP proxy, to this process's own services only: absolute-form
        requests for http://{tsa,ocsp,crl}.ltv.test/... or http://127.0.0.1:PORT/...
        where PORT is one of the services'."""
        u = urllib.parse.urlsplit(self.path)
        if u.scheme != "http" or not u.hostname:
            return 400, "text/plain", b"ltvserve proxy: absolute http:// URL expected\n"
        target = None
        if u.hostname in PROXY_NAMES:
            target = self.st.ports.get(PROXY_NAMES[u.hostname])
        elif u.hostname in ("127.0.0.1", "localhost") and u.port in [
                self.st.ports.get(x) for x in ("tsa", "ocsp", "crl")]:
            target = u.port
        if not target:
            return 403, "text/plain", b"ltvserve proxy: forwards only to its own services\n"
        path = u.path or "/"
        if u.query:
            path += "?" + u.query
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() in ("content-type", "accept", "user-agent", "cache-control")}
        conn = http.client.HTTPConnection(HOST, target, timeout=self.st.args.hang_seconds + 10)
        try:
            conn.request(self.command, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read(MAX_BODY * 8)
            return r.status, r.getheader("Content-Type", "application/octet-stream"), data
        except (OSError, http.client.HTTPException) as e:
            return 502, "text/plain", ("ltvserve proxy: %s\n" % e).encode()
        finally:
            conn.close()

    def tsa(self, query, mode="ok"):
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/timestamp-query":
            return 415, "text/plain", b"Content-Type must be application/timestamp-query\n"
        pki = self.st.pki
        signer, key, chain = "tsa.pem", "tsa.key", "tsa-chain.pem"
        if mode == "rogue":      # same names, a key outside the PKI
            signer, key, chain = "rogue/tsa.pem", "rogue/tsa.key", "rogue/ca.pem"
        elif mode == "rejected":  # OpenSSL's own rejection (badDataFormat)
            query = b"\x30\x00"
        d = tempfile.mkdtemp(prefix="tsa.", dir=self.st.work)
        try:
            q, r = os.path.join(d, "q.tsq"), os.path.join(d, "r.tsr")
            with open(q, "wb") as fh:
                fh.write(query)
            if mode == "mismatch":
                # A valid token, but for another query: other imprint, other nonce.
                p = self.openssl(["ts", "-query", "-sha256", "-cert", "-digest", os.urandom(32).hex(),
                                  "-out", q])
                if p.returncode != 0:
                    return 500, "text/plain", b"openssl ts -query failed:\n" + p.stderr[-2000:]
            with self.st.tsa_lock:
                p = self.openssl(["ts", "-reply", "-config", os.path.join(pki, "tsa.cnf"),
                                  "-queryfile", q,
                                  "-signer", os.path.join(pki, signer),
                                  "-inkey", os.path.join(pki, key),
                                  "-chain", os.path.join(pki, chain), "-out", r])
            if p.returncode != 0 or not os.path.exists(r):
                return 500, "text/plain", b"openssl ts -reply failed:\n" + p.stderr[-2000:]
            with open(r, "rb") as fh:
                return 200, "application/timestamp-reply", fh.read()
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def ocsp_get(self, mode="ok"):
        path = urllib.parse.unquote(self.path.lstrip("/"))
        try:
            der = base64.b64decode(path, validate=True)
        except (ValueError, base64.binascii.Error):
            der = b""
        return self.ocsp(der, "application/ocsp-request", mode)

    def ocsp(self, req, ctype, mode="ok"):
        if ctype.split(";")[0].strip().lower() != "application/ocsp-request":
            return 415, "text/plain", b"Content-Type must be application/ocsp-request\n"
        if mode in OCSP_STATUS:
            return 200, "application/ocsp-response", OCSP_STATUS[mode]
        pki = self.st.pki
        rsigner, rkey = {"rogue": ("rogue/ocsp.pem", "rogue/ocsp.key"),
                         "noeku": ("signer2.pem", "signer2.key")}.get(mode, ("ocsp.pem", "ocsp.key"))
        d = tempfile.mkdtemp(prefix="ocsp.", dir=self.st.work)
        try:
            q, r = os.path.join(d, "q.der"), os.path.join(d, "r.der")
            with open(q, "wb") as fh:
                fh.write(req)
            if mode == "sha256":
                # The serials asked about, asked again with SHA-256 CertIDs.
                p = self.openssl(["ocsp", "-reqin", q, "-req_text", "-noverify"])
                serials = re.findall(r"Serial Number: ([0-9A-Fa-f]+)", p.stdout.decode(errors="replace"))
                args = ["ocsp", "-issuer", os.path.join(pki, "issuing.pem"), "-sha256", "-no_nonce"]
                for sn in serials:
                    args += ["-serial", "0x" + sn]
                if not serials or self.openssl(args + ["-reqout", q]).returncode != 0:
                    return 200, "application/ocsp-response", OCSP_MALFORMED
            p = self.openssl(["ocsp", "-index", os.path.join(pki, "db", "index.txt"),
                              "-CA", os.path.join(pki, "issuing.pem"),
                              "-rsigner", os.path.join(pki, rsigner),
                              "-rkey", os.path.join(pki, rkey),
                              "-rmd", "sha256", "-ndays", str(self.st.args.ocsp_days),
                              "-reqin", q, "-respout", r])
            if p.returncode != 0 or not os.path.exists(r) or os.path.getsize(r) == 0:
                # openssl ocsp -reqin gives no answer for a request it cannot parse;
                # a responder answers malformedRequest.
                return 200, "application/ocsp-response", OCSP_MALFORMED
            with open(r, "rb") as fh:
                return 200, "application/ocsp-response", fh.read()
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def crl(self, mode="ok"):
        name = urllib.parse.urlsplit(self.path).path.lstrip("/")
        if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*", name):
            return 404, "text/plain", b"not found\n"
        f = os.path.join(self.st.pki, "crl", name)
        try:
            with open(f, "rb") as fh:
                data = fh.read(MAX_BODY * 8)
        except OSError:
            return 404, "text/plain", b"not found\n"
        ctype = {"crl": "application/pkix-crl", "cer": "application/pkix-cert",
                 "der": "application/pkix-cert"}.get(name.rsplit(".", 1)[-1], "application/octet-stream")
        return 200, ctype, data

    # -------------------------------------------------------------- control
    def ctl(self):
        u = urllib.parse.urlsplit(self.path)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query).items()}
        st = self.st
        svc = q.get("service")
        try:
            if u.path == "/ping":
                return self.reply(200, "text/plain", b"ok\n")
            if u.path == "/state":
                return self.reply(200, "application/json", json.dumps(st.snapshot()).encode() + b"\n")
            if u.path in ("/fault", "/stop", "/start") and svc not in SERVICES:
                return self.reply(400, "text/plain", b"service must be tsa, ocsp, crl or proxy\n")
            if u.path == "/fault":
                mode = q.get("mode", "ok")
                if mode not in MODES + SERVICE_MODES[svc]:
                    return self.reply(400, "text/plain", ("%s modes: %s\n" % (
                        svc, ", ".join(MODES + SERVICE_MODES[svc]))).encode())
                f = {"mode": mode, "count": int(q.get("count", 0)),
                     "seconds": float(q.get("seconds", 0)), "status": int(q.get("status", 500))}
                if f["count"] < 0 or not 0 <= f["seconds"] <= 3600 or not 100 <= f["status"] <= 599:
                    raise ValueError("out of range")
                with st.lock:
                    st.faults[svc] = f
                st.log(service="ctl", fault_set=svc, **f)
                return self.reply(200, "text/plain", b"ok\n")
            if u.path == "/stop":
                stop_service(st, svc)
                return self.reply(200, "text/plain", b"ok\n")
            if u.path == "/start":
                start_service(st, svc, st.ports[svc])
                return self.reply(200, "text/plain", b"ok\n")
            if u.path == "/reset":
                with st.lock:
                    for s in SERVICES:
                        st.faults[s] = {"mode": "ok", "count": 0, "seconds": 0.0, "status": 500}
                        st.counts[s] = {"requests": 0, "faulted": 0}
                for s in SERVICES:
                    if s not in st.servers:
                        start_service(st, s, st.ports[s])
                return self.reply(200, "text/plain", b"ok\n")
        except (ValueError, OSError) as e:
            return self.reply(400, "text/plain", ("%s\n" % e).encode())
        return self.reply(404, "text/plain", b"not found\n")


def start_service(st, name, port):
    with st.lock:
        if name in st.servers:
            return
    srv = Server(port, Handler, st, name)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                         name="ltvserve-" + name, daemon=True)
    t.start()
    with st.lock:
        st.servers[name] = srv
        st.ports[name] = srv.server_address[1]


def stop_service(st, name):
    with st.lock:
        srv = st.servers.pop(name, None)
    if srv is not None:
        srv.shutdown()
        srv.server_close()


def read_env(path):
    out = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                m = re.match(r"\s*(?:export\s+)?(\w+)='?([^'\n]*)'?\s*$", line)
                if m:
                    out[m.group(1)] = m.group(2)
    except OSError:
        pass
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pki", required=True, help="directory made by ltvpki.sh")
    ap.add_argument("--run-file", required=True, help="where to write the PID and ports")
    for s in ("tsa", "ocsp", "crl", "proxy", "ctl"):
        ap.add_argument("--%s-port" % s, type=int, default=None)
    ap.add_argument("--log", help="JSON-lines request log (appended)")
    ap.add_argument("--work", help="where to make this process's scratch directory (default PKI)")
    ap.add_argument("--watch-pid", type=int, default=0, help="exit when this process is gone")
    ap.add_argument("--max-seconds", type=float, default=1800)
    ap.add_argument("--hang-seconds", type=float, default=60)
    ap.add_argument("--ocsp-days", type=int, default=7, help="nextUpdate of OCSP answers")
    args = ap.parse_args()

    args.pki = os.path.abspath(args.pki)
    for f in ("tsa.cnf", "tsa.pem", "tsa.key", "tsa-chain.pem", "issuing.pem", "ocsp.pem", "ocsp.key",
              "db/index.txt"):
        if not os.path.exists(os.path.join(args.pki, f)):
            print("ltvserve: %s/%s missing (make the PKI with ltvpki.sh)" % (args.pki, f), file=sys.stderr)
            return 2
    if shutil.which("openssl") is None:
        print("ltvserve: openssl not found", file=sys.stderr)
        return 2
    if args.work:
        os.makedirs(args.work, exist_ok=True)
    # Scratch space of this process only (per-request query and answer files).
    args.work = tempfile.mkdtemp(prefix="ltvserve.", dir=os.path.abspath(args.work or args.pki))
    pkienv = read_env(os.path.join(args.pki, "env"))
    ports = {}
    for s in ("tsa", "ocsp", "crl", "proxy", "ctl"):
        v = getattr(args, s + "_port")
        if v is None:
            v = os.environ.get("LTV_%s_PORT" % s.upper())
        if v is None and s in ("ocsp", "crl"):
            v = pkienv.get("LTV_%s_PORT" % s.upper())
        ports[s] = int(v or 0)

    st = State(args)
    signal.signal(signal.SIGTERM, lambda *_: st.stop.set())
    signal.signal(signal.SIGINT, lambda *_: st.stop.set())
    signal.signal(signal.SIGHUP, lambda *_: st.stop.set())
    try:
        for s in ("ctl",) + SERVICES:
            start_service(st, s, ports[s])
    except OSError as e:
        print("ltvserve: cannot listen on %s:%s: %s" % (HOST, ports[s], e.strerror or e), file=sys.stderr)
        for s in list(st.servers):
            stop_service(st, s)
        shutil.rmtree(args.work, ignore_errors=True)
        return 3

    p = st.ports
    lines = [
        "LTV_SERVE_PID=%d" % os.getpid(),
        "LTV_TSA_PORT=%d" % p["tsa"], "LTV_TSA_URL='http://%s:%d/'" % (HOST, p["tsa"]),
        "LTV_OCSP_PORT=%d" % p["ocsp"], "LTV_OCSP_URL='http://%s:%d/'" % (HOST, p["ocsp"]),
        "LTV_CRL_PORT=%d" % p["crl"], "LTV_CRL_URL='http://%s:%d/issuing.crl'" % (HOST, p["crl"]),
        "LTV_PROXY_PORT=%d" % p["proxy"], "LTV_PROXY_URL='http://%s:%d'" % (HOST, p["proxy"]),
        "LTV_CTL_PORT=%d" % p["ctl"], "LTV_CTL_URL='http://%s:%d'" % (HOST, p["ctl"]),
    ]
    tmp = args.run_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    os.replace(tmp, args.run_file)
    st.log(service="ctl", started=p, pki=args.pki)

    deadline = time.monotonic() + args.max_seconds
    why = "signal"
    while not st.stop.wait(0.5):
        if args.watch_pid:
            try:
                os.kill(args.watch_pid, 0)
            except ProcessLookupError:
                why = "watched process %d gone" % args.watch_pid
                break
            except PermissionError:
                pass
        if time.monotonic() > deadline:
            why = "--max-seconds reached"
            break
    st.stop.set()
    for s in list(st.servers):
        stop_service(st, s)
    st.log(service="ctl", stopped=why)
    try:
        os.unlink(args.run_file)
    except OSError:
        pass
    shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
