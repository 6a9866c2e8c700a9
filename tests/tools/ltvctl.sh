# shellcheck shell=bash
# Long-term-validation services for CLI tests; sourced, not run:
#
#   . "$SRC/tests/tools/ltvctl.sh"
#   ltv_start "$T/ltv"          # PKI (made once per DIR) + TSA, OCSP, CRL servers
#   seal sign ... --p12 "$LTV_P12" --level B-LT --tsa "$LTV_TSA_URL" ...
#   ltv_revoke                  # revoke the signer now (OCSP and CRL show it at once)
#   ltv_stop                    # also run by the EXIT trap ltv_start sets
#
# ltv_start DIR
#     Makes the PKI in DIR/pki with tests/tools/ltvpki.sh unless DIR/pki/env
#     exists (then reuses it: the certificates name its OCSP and CRL ports),
#     picking two free loopback ports for the OCSP responder and the CRL
#     server; starts tests/tools/ltvserve.py in the background (TSA and control
#     ports: any free ones); waits until all services answer; exports
#       LTV_DIR LTV_PKI              DIR, DIR/pki (ltvpki.sh's layout)
#       LTV_TSA_URL LTV_OCSP_URL     http://127.0.0.1:PORT/
#       LTV_CRL_URL LTV_ROOT_CRL_URL http://127.0.0.1:PORT/issuing.crl, .../root.crl
#       LTV_PROXY_URL                http://127.0.0.1:PORT, an HTTP proxy forwarding only to
#                                    the services, also by the names tsa.ltv.test,
#                                    ocsp.ltv.test, crl.ltv.test (for proxy-variable tests:
#                                    http_proxy=$LTV_PROXY_URL, no_proxy unset, --tsa
#                                    http://tsa.ltv.test/ works only through it)
#       LTV_CTL_URL LTV_SERVE_PID    control URL, server PID
#       LTV_P12 LTV_P12_2 LTV_P12_PASS   signer (and a second signer) PKCS#12, password
#       LTV_ROOT LTV_CHAIN           trust anchor; issuing + root
#       LTV_TSA_PORT LTV_OCSP_PORT LTV_CRL_PORT LTV_PROXY_PORT LTV_CTL_PORT
#     adds 127.0.0.1 to no_proxy/NO_PROXY (so a proxy set in CI is not used for
#     loopback; a proxy test sets its own), and sets an EXIT trap that stops
#     the server: at top level chained before the trap already set (lib.sh's
#     rm -rf "$T"); inside a run_case subshell (which does not inherit traps)
#     a trap of its own, so the server ends with the case. The server also
#     exits by itself when the shell that started it is gone, or after
#     LTV_MAX_SECONDS (default 1800). Its request log (JSON lines) is
#     DIR/serve.log, its stderr DIR/serve.out. Request counters start at 0
#     (the readiness probes are not counted).
# ltv_stop                     SIGTERM, wait (bounded), SIGKILL if need be.
# ltv_revoke [WHO] [WHEN]      revoke WHO (signer|signer2|tsa|ocsp; default signer;
#                              issuing: the issuing CA, by the root, in root.crl),
#                              dated WHEN (`date -d`, default now); CRL regenerated;
#                              LTV_REVOKE_REASON (default keyCompromise). Times are
#                              whole seconds (revocation time, TSA genTime): to revoke
#                              "after signing", sleep 1.1 s after the signature first.
# ltv_crl                      regenerate the CRLs (a fresh thisUpdate).
# ltv_fault SERVICE MODE [count=N] [seconds=X] [status=C]
#                              SERVICE tsa|ocsp|crl|proxy; MODE ok|status|hang|delay|close|
#                              garbage|wrongtype, for tsa also rejected|mismatch|rogue,
#                              for ocsp trylater|unauthorized|rogue|noeku|sha256 (ltvserve.py
#                              documents them); count=N: the next N requests only.
#                              e.g. ltv_fault tsa status status=500 count=1
# ltv_down SERVICE / ltv_up SERVICE   close / reopen SERVICE's port (same URL)
# ltv_reset                    no faults, counters zero, every service up
# ltv_requests SERVICE         how many requests SERVICE has had (faulted included)
# ltv_state                    the server's state as JSON
# ltv_nssdb DIR                an NSS database in DIR trusting the LTV root (pdfsig -nssdir sql:DIR)
# ltv_check FILE LEVEL [NDTS]  tests/tools/ltvcheck.py against the LTV root: OpenSSL
#                              verifies every signature time-stamp, document time-stamp,
#                              DSS OCSP response and CRL, and the DSS covers the signer
#                              and TSA chains, as LEVEL (B-T|B-LT|B-LTA) needs; NDTS:
#                              exactly so many document time-stamps. The JSON report is
#                              FILE.ltvcheck.json; on failure its errors go to stderr.
# ltv_check_pdfsig FILE NSIG [NDTS]
#                              poppler's pdfsig, with an NSS db trusting the LTV root
#                              (LTV_DIR/nssdb, made on first use), finds NSIG
#                              ETSI.CAdES.detached signatures, each valid and trusted,
#                              and NDTS (default 0) document time-stamps. pdfsig 22.12
#                              cannot validate ETSI.RFC3161 (it says "Signature Type:
#                              unknown ... not yet verified"): those are only counted.
#                              NSS checks the signer online (AIA OCSP) at the current
#                              time: run it while the services are up and before
#                              ltv_revoke (after it, pdfsig says "Certificate has been
#                              Revoked"; with the OCSP responder down, "Unknown issue").

LTV_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ltv__err() { printf 'ltvctl: %s\n' "$*" >&2; }

# ltv__curl ARGS...: curl to loopback, no proxy, bounded.
ltv__curl() { curl --noproxy '*' -sS --max-time 10 "$@"; }

ltv__free_ports() {
    python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
for s in ss:
    s.close()'
}

ltv__answers() {
    local code
    code=$(curl --noproxy '*' -s -o /dev/null --max-time 2 -w '%{http_code}' "$1" 2>/dev/null) || true
    [ -n "$code" ] && [ "$code" != 000 ]
}

ltv_start() {
    local dir=${1:?usage: ltv_start DIR} fresh=0 try ports rc
    # The server watches this shell (expanded here: in the background
    # command's own arguments $BASHPID would be the forked child's).
    local t owner=$BASHPID
    for t in openssl python3 curl; do
        command -v "$t" >/dev/null || { ltv__err "$t not installed (scripts/install-deps)"; return 1; }
    done
    if [ -n "${LTV_SERVE_PID:-}" ] && kill -0 "$LTV_SERVE_PID" 2>/dev/null; then
        ltv__err "already running (pid $LTV_SERVE_PID); ltv_stop first"
        return 1
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    for try in 1 2 3; do
        if [ ! -f "$dir/pki/env" ]; then
            ports=$(ltv__free_ports) || return 1
            LTV_OCSP_PORT=${ports% *} LTV_CRL_PORT=${ports#* } \
                bash "$LTV_TOOLS/ltvpki.sh" "$dir/pki" >"$dir/pki.log" 2>&1 \
                || { cat "$dir/pki.log" >&2; ltv__err "ltvpki.sh failed"; return 1; }
            fresh=1
        fi
        rm -f "$dir/serve.env"
        python3 "$LTV_TOOLS/ltvserve.py" --pki "$dir/pki" --run-file "$dir/serve.env" \
            --log "$dir/serve.log" --watch-pid "$owner" --max-seconds "${LTV_MAX_SECONDS:-1800}" \
            </dev/null >"$dir/serve.out" 2>&1 &
        LTV_SERVE_PID=$!
        rc=
        for _ in $(seq 1 100); do
            [ -f "$dir/serve.env" ] && break
            if ! kill -0 "$LTV_SERVE_PID" 2>/dev/null; then
                rc=0
                wait "$LTV_SERVE_PID" || rc=$?
                break
            fi
            sleep 0.1
        done
        if [ -f "$dir/serve.env" ]; then
            rc=
            break
        fi
        if [ -z "$rc" ]; then
            kill -KILL "$LTV_SERVE_PID" 2>/dev/null || true
            wait "$LTV_SERVE_PID" 2>/dev/null || true
            LTV_SERVE_PID=
            cat "$dir/serve.out" >&2
            ltv__err "ltvserve.py did not start within 10 s"
            return 1
        fi
        LTV_SERVE_PID=
        # 3: a port was taken between picking and binding. Only a PKI made
        # here may be remade with other ports.
        if [ "$rc" = 3 ] && [ "$fresh" = 1 ] && [ "$try" -lt 3 ]; then
            rm -rf "$dir/pki"
            continue
        fi
        cat "$dir/serve.out" >&2
        ltv__err "ltvserve.py exited with status $rc"
        return 1
    done
    # shellcheck source=/dev/null
    . "$dir/pki/env"
    # shellcheck source=/dev/null
    . "$dir/serve.env"
    export LTV_DIR=$dir LTV_SERVE_PID LTV_TSA_PORT LTV_TSA_URL LTV_OCSP_PORT LTV_OCSP_URL \
        LTV_CRL_PORT LTV_CRL_URL LTV_PROXY_PORT LTV_PROXY_URL LTV_CTL_PORT LTV_CTL_URL
    case ",${no_proxy:-}," in *,127.0.0.1,*) ;; *) export no_proxy=${no_proxy:+$no_proxy,}127.0.0.1 ;; esac
    case ",${NO_PROXY:-}," in *,127.0.0.1,*) ;; *) export NO_PROXY=${NO_PROXY:+$NO_PROXY,}127.0.0.1 ;; esac
    ltv__set_trap
    for _ in $(seq 1 50); do
        if ltv__answers "$LTV_CTL_URL/ping" && ltv__answers "$LTV_TSA_URL" \
            && ltv__answers "$LTV_OCSP_URL" && ltv__answers "$LTV_CRL_URL" \
            && ltv__answers "$LTV_PROXY_URL/"; then
            ltv_reset # the probes do not count as requests
            return 0
        fi
        sleep 0.1
    done
    ltv__err "services do not answer (see $dir/serve.out)"
    ltv_stop
    return 1
}

ltv__set_trap() {
    local prev='' cur
    if [ "$BASH_SUBSHELL" = 0 ]; then
        # trap -p prints: trap -- 'COMMAND' EXIT
        eval "cur=($(trap -p EXIT))"
        prev=${cur[2]:-}
        case $prev in *ltv_stop*) return 0 ;; esac
    fi
    # shellcheck disable=SC2064
    trap "ltv_stop${prev:+; $prev}" EXIT
}

ltv_stop() {
    local pid=${LTV_SERVE_PID:-}
    [ -n "$pid" ] || return 0
    LTV_SERVE_PID=
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        ltv__err "ltvserve.py ($pid) ignored SIGTERM; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    return 0
}

ltv_revoke() {
    bash "$LTV_TOOLS/ltvpki.sh" revoke "${LTV_PKI:?ltv_start first}" "$@"
}

ltv_crl() {
    bash "$LTV_TOOLS/ltvpki.sh" crl "${LTV_PKI:?ltv_start first}"
}

# ltv__ctl PATH?QUERY: a control request; fails unless the answer is 200.
ltv__ctl() {
    local out
    out=$(ltv__curl -w '\n%{http_code}' "${LTV_CTL_URL:?ltv_start first}$1") || { ltv__err "control $1 failed"; return 1; }
    [ "${out##*$'\n'}" = 200 ] || { ltv__err "control $1: ${out%$'\n'*}"; return 1; }
    printf '%s' "${out%$'\n'*}"
}

ltv_fault() {
    local svc=${1:?usage: ltv_fault SERVICE MODE [key=value...]} mode=${2:?usage: ltv_fault SERVICE MODE [key=value...]} q kv
    shift 2
    q="service=$svc&mode=$mode"
    for kv in "$@"; do q="$q&$kv"; done
    ltv__ctl "/fault?$q" >/dev/null
}

ltv_down() { ltv__ctl "/stop?service=${1:?usage: ltv_down SERVICE}" >/dev/null; }
ltv_up() { ltv__ctl "/start?service=${1:?usage: ltv_up SERVICE}" >/dev/null; }
ltv_reset() { ltv__ctl /reset >/dev/null; }
ltv_state() { ltv__ctl /state; }

ltv_requests() {
    ltv__ctl /state | python3 -c 'import json, sys; print(json.load(sys.stdin)["counts"][sys.argv[1]]["requests"])' \
        "${1:?usage: ltv_requests SERVICE}"
}

ltv_nssdb() {
    local db=${1:?usage: ltv_nssdb DIR}
    command -v certutil >/dev/null || { ltv__err "certutil not installed (libnss3-tools)"; return 1; }
    mkdir -p "$db"
    certutil -N -d "sql:$db" --empty-password
    certutil -A -d "sql:$db" -n "libseal LTV Root CA" -t "CT,C,C" -i "${LTV_PKI:?ltv_start first}/root.pem"
    certutil -A -d "sql:$db" -n "libseal LTV Issuing CA" -t ",," -i "$LTV_PKI/issuing.pem"
}

ltv_check_pdfsig() {
    local f=${1:?usage: ltv_check_pdfsig FILE NSIG [NDTS]} n=${2:?usage: ltv_check_pdfsig FILE NSIG [NDTS]}
    local ndts=${3:-0} db=${LTV_DIR:?ltv_start first}/nssdb out counts
    command -v pdfsig >/dev/null || { ltv__err "pdfsig not installed (poppler-utils)"; return 1; }
    [ -f "$db/cert9.db" ] || ltv_nssdb "$db" >/dev/null || return 1
    out=$(pdfsig -nssdir "sql:$db" "$f" 2>&1 || true)
    # Per signature block: its type, and whether it is valid and trusted.
    counts=$(awk '
        function flush() { if (type == "ETSI.CAdES.detached") { sig++; if (valid && trusted) good++ }
                           else if (type == "unknown") dts++
                           else if (type != "") other++ }
        /^Signature #/ { flush(); type = ""; valid = 0; trusted = 0 }
        /Signature Type: / { type = $NF }
        /Signature Validation: Signature is Valid\./ { valid = 1 }
        /Certificate Validation: Certificate is Trusted\./ { trusted = 1 }
        END { flush(); printf "%d %d %d %d", sig, good, dts, other }' <<<"$out")
    if [ "$counts" != "$n $n $ndts 0" ]; then
        local sig good dts other
        read -r sig good dts other <<<"$counts"
        printf '      | %s\n' "${out//$'\n'/$'\n'      | }" >&2
        ltv__err "pdfsig on $f: $sig CAdES signatures ($good valid and trusted), $dts document time-stamps, $other others; expected $n, $n, $ndts, 0"
        return 1
    fi
}

ltv_check() {
    local f=${1:?usage: ltv_check FILE LEVEL [NDTS]} level=${2:?usage: ltv_check FILE LEVEL [NDTS]}
    local args=(--root "${LTV_ROOT:?ltv_start first}" --level "$level")
    [ -z "${3:-}" ] || args+=(--dts "$3")
    if ! python3 "$LTV_TOOLS/ltvcheck.py" "$f" "${args[@]}" >"$f.ltvcheck.json"; then
        python3 -c 'import json, sys; [print("      | " + e) for e in json.load(open(sys.argv[1]))["errors"]]' \
            "$f.ltvcheck.json" >&2 || cat "$f.ltvcheck.json" >&2
        ltv__err "ltvcheck.py: $f is not a valid $level file"
        return 1
    fi
}
