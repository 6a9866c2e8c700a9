# seal verify --require-signer NAME|CODE: the bidder's company seal must be
# made with a certificate whose subject names that organisation (O=) or
# carries that unified social credit code (统一社会信用代码) — in
# serialNumber, OU, O or CN as Chinese CAs put it, or organizationIdentifier
# (2.5.4.97). A mismatch is RULES-FAILED (exit 1) naming what the
# certificate says. Certificates are issued here by a copy of the fixture CA.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require python3 jq openssl

ROOT=$FIX/ca/root.pem
W=$T/work
mkdir -p "$W"
ca_copy "$W/ca"
export SEAL_P12_PASSWORD=testpass

# code PREFIX17: a valid code, its check character computed here
# independently of libseal (GB 32100-2015: weights 3^(i-1) mod 31).
code() {
    python3 - "$1" <<'PY'
import sys
A = "0123456789ABCDEFGHJKLMNPQRTUWXY"
p = sys.argv[1]
s = sum(A.index(c) * pow(3, i, 31) for i, c in enumerate(p))
print(p + A[(31 - s % 31) % 31])
PY
}
C_SERIAL=$(code 91110000MA01ABCD1)
C_OU=$(code 91440300MA5FXY212)
C_CN=$(code 913101157030012X4)
C_ORGID=$(code 92350100M00010023)
C_OTHER=$(code 91350100M000100Y4)

# p12 NAME SUBJECT: an EC key and certificate from the intermediate, as
# $W/NAME.p12 with the chain.
p12() {
    local name=$1 subj=$2
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$W/$name.key" \
        -utf8 -subj "$subj" -out "$W/$name.csr" 2>/dev/null || die "request for $name"
    (cd "$W/ca" && openssl ca -config openssl.cnf -batch -notext -preserveDN -md sha256 -cert inter.pem \
        -keyfile inter.key -in "$W/$name.csr" -out "$W/$name.pem" -extensions v3_sign -days 30 \
        >/dev/null 2>"$W/ca.log") || { cat "$W/ca.log"; die "cannot issue $name"; }
    openssl pkcs12 -export -inkey "$W/$name.key" -in "$W/$name.pem" -certfile "$FIX/chain.pem" \
        -passout pass:testpass -out "$W/$name.p12" || die "p12 $name"
}

# sealed NAME KIND [IN]: IN (one.pdf) sealed with NAME.p12 and KIND artwork.
sealed() {
    local name=$1 kind=$2 in=${3:-$FIX/pdf/one.pdf}
    expect_exit 0 "$SEAL" sign "$in" -o "$W/$name-$kind.pdf" --key "p12:$W/$name.p12" \
        --seal "$FIX/art/$kind.pdf" --page 1 --at "$([ "$kind" = company ] && echo 105,250 || echo 40,250)"
}

# verify FILE ARGS...: RC, stdout (text), stderr
verify() {
    local f=$1
    shift
    run "$SEAL" verify "$f" --trust "$ROOT" "$@"
}

# The fixture signer (O=某某建设工程有限公司, CN=李四), by name: met; another
# name or code: RULES-FAILED naming what the certificate says.
case_name() {
    SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$W/fix.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 105,250
    verify "$W/fix.pdf" --require-signer 某某建设工程有限公司
    [ "$RC" = 0 ] || { show_output; die "exit $RC"; }
    grep -qx '规则 Rule signer=某某建设工程有限公司 met 满足' "$T/stdout" || { show_output; die "rule line"; }
    verify "$W/fix.pdf" --require-signer 某某建设有限公司
    [ "$RC" = 1 ] || { show_output; die "exit $RC"; }
    local why="Seal1 (company seal) was made by a certificate of O=某某建设工程有限公司, credit code (none) (CN=李四)"
    [ "$(cat "$T/stderr")" = "seal: rule signer=某某建设有限公司 not met: $why" ] || { show_output; die "stderr"; }
    [ "$(sed -n 2p "$T/stdout")" = "结论 Verdict:   RULES-FAILED 不符合要求 — rule signer=某某建设有限公司 not met: $why" ] \
        || { show_output; die "verdict line"; }
    # The same rule as --require signer=…, in JSON.
    run "$SEAL" verify "$W/fix.pdf" --trust "$ROOT" --require "signer=$C_OTHER" --json
    [ "$RC" = 1 ] || { show_output; die "exit $RC"; }
    [ "$(jq -c '.rules' "$T/stdout")" = "[{\"rule\":\"signer=$C_OTHER\",\"met\":false,\"why\":\"$why\"}]" ] \
        || die "JSON rules: $(jq -c .rules "$T/stdout")"
    [ "$(jq -r .verdict "$T/stdout")" = RULES-FAILED ] || die "JSON verdict"
}

# Credit codes where Chinese CAs put them.
case_codes() {
    p12 serial "/C=CN/O=乙建设（集团）有限公司/serialNumber=$C_SERIAL/CN=乙建设（集团）有限公司"
    p12 ou "/C=CN/O=丙科技有限公司/OU=$C_OU/CN=丙科技有限公司"
    p12 cn "/C=CN/CN=丁贸易有限公司@$C_CN"
    p12 orgid "/C=CN/O=戊有限公司/organizationIdentifier=NTRCN-$C_ORGID/CN=戊有限公司"
    local n
    for n in serial ou cn orgid; do sealed "$n" company; done
    verify "$W/serial-company.pdf" --require-signer "$C_SERIAL"
    [ "$RC" = 0 ] || { show_output; die "serialNumber: exit $RC"; }
    # Full-width and ASCII parentheses, spaces: one name.
    verify "$W/serial-company.pdf" --require-signer "乙建设(集团) 有限公司"
    [ "$RC" = 0 ] || { show_output; die "name with ASCII parentheses: exit $RC"; }
    # A lower-case code is the same code.
    verify "$W/ou-company.pdf" --require-signer "$(tr A-Z a-z <<<"$C_OU")"
    [ "$RC" = 0 ] || { show_output; die "OU: exit $RC"; }
    verify "$W/cn-company.pdf" --require-signer "$C_CN"
    [ "$RC" = 0 ] || { show_output; die "CN: exit $RC"; }
    verify "$W/orgid-company.pdf" --require-signer "$C_ORGID"
    [ "$RC" = 0 ] || { show_output; die "organizationIdentifier: exit $RC"; }
    # Both a name and a code: both must hold.
    verify "$W/serial-company.pdf" --require-signer "$C_SERIAL" --require-signer 乙建设（集团）有限公司
    [ "$RC" = 0 ] || { show_output; die "name and code: exit $RC"; }
    verify "$W/ou-company.pdf" --require-signer "$C_SERIAL"
    [ "$RC" = 1 ] || { show_output; die "another code: exit $RC"; }
    [ "$(cat "$T/stderr")" = "seal: rule signer=$C_SERIAL not met: Seal1 (company seal) was made by a certificate of O=丙科技有限公司, credit code $C_OU (CN=丙科技有限公司)" ] \
        || { show_output; die "stderr"; }
    # A name only in CN is no organisation name (O=).
    verify "$W/cn-company.pdf" --require-signer 丁贸易有限公司
    [ "$RC" = 1 ] || { show_output; die "CN is no O=: exit $RC"; }
    grep -q "O=(none), credit code $C_CN (CN=丁贸易有限公司@$C_CN)\$" "$T/stderr" || { show_output; die "no O="; }
}

# Which signatures are held to it: the company seals when there are any.
case_which() {
    [ -f "$W/serial.p12" ] || p12 serial "/C=CN/O=乙建设（集团）有限公司/serialNumber=$C_SERIAL/CN=乙建设（集团）有限公司"
    p12 rep "/C=CN/CN=王五"
    sealed serial company
    sealed rep legalrep "$W/serial-company.pdf"
    verify "$W/rep-legalrep.pdf" --require-signer "$C_SERIAL"
    [ "$RC" = 0 ] || { show_output; die "company seal by the bidder, legal-rep by a person: exit $RC"; }
    # Only the legal representative's seal: every signature is held to it.
    sealed rep legalrep
    verify "$W/rep-legalrep.pdf" --require-signer "$C_SERIAL"
    [ "$RC" = 1 ] || { show_output; die "legal-rep only: exit $RC"; }
    [ "$(cat "$T/stderr")" = "seal: rule signer=$C_SERIAL not met: Seal1 was made by a certificate of O=(none), credit code (none) (CN=王五)" ] \
        || { show_output; die "stderr"; }
    # Another bidder's company seal beside the expected one fails.
    sealed serial company
    expect_exit 0 "$SEAL" sign "$W/serial-company.pdf" -o "$W/two-companies.pdf" --key "p12:$W/rep.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 60,150
    verify "$W/two-companies.pdf" --require-signer "$C_SERIAL"
    [ "$RC" = 1 ] || { show_output; die "two bidders' company seals: exit $RC"; }
    grep -q "not met: Seal2 (company seal) was made by a certificate of O=(none)" "$T/stderr" || { show_output; die "Seal2"; }
    # No signature: NO-SIGNATURE, the rule says why.
    run "$SEAL" verify "$FIX/pdf/one.pdf" --require-signer "$C_SERIAL" --json
    [ "$RC" = 1 ] && [ "$(jq -r '.verdict + "|" + .rules[0].why' "$T/stdout")" = \
        "NO-SIGNATURE|no valid signature to hold against $C_SERIAL" ] || { show_output; die "unsigned"; }
}

# Usage errors: a mistyped code (wrong check character), an empty name.
case_usage() {
    local bad=${C_SERIAL:0:17}
    bad+=$([ "${C_SERIAL:17}" = 0 ] && echo 1 || echo 0)
    expect_exit 2 "$SEAL" verify "$FIX/pdf/one.pdf" --require-signer "$bad"
    [ "$(head -1 "$T/stderr")" = "seal: --require-signer $bad is not a unified social credit code: its check character is '${C_SERIAL:17}', not '${bad:17}' (统一社会信用代码校验码错误)" ] \
        || { show_output; die "check character"; }
    expect_exit 2 "$SEAL" verify "$FIX/pdf/one.pdf" --require-signer ""
    grep -q "^seal: --require-signer takes an organisation name or a unified social credit code" "$T/stderr" \
        || { show_output; die "empty"; }
    expect_exit 2 "$SEAL" verify "$FIX/pdf/one.pdf" --require "signer=$bad"
    [ "$(head -1 "$T/stderr")" = "seal: unknown rule 'signer=$bad'" ] || { show_output; die "--require signer="; }
}

# A folder: every bid held to it, the reason in the summary.
case_folder() {
    [ -f "$W/serial-company.pdf" ] && [ -f "$W/ou-company.pdf" ] || skip_case "needs case_codes"
    mkdir -p "$W/bids"
    cp "$W/serial-company.pdf" "$W/bids/乙.pdf"
    cp "$W/ou-company.pdf" "$W/bids/丙.pdf"
    verify "$W/bids" --require-signer "$C_SERIAL"
    [ "$RC" = 1 ] || { show_output; die "exit $RC"; }
    cat >"$T/want" <<EOF
文件 File  投标人 Bidder           印章 Seals  结论 Verdict             原因 Reason
丙.pdf     丙科技有限公司                   1  RULES-FAILED 不符合要求  rule signer=$C_SERIAL not met: Seal1 (company seal) was made by a certificate of O=丙科技有限公司, credit code $C_OU (CN=丙科技有限公司)
乙.pdf     乙建设（集团）有限公司           1  TOTAL-PASSED 通过
EOF
    diff -u "$T/want" "$T/stdout" || die "summary"
}

run_case "by name: met; another name or code: RULES-FAILED naming the certificate" case_name
run_case "credit codes in serialNumber, OU, CN, organizationIdentifier; parentheses; both" case_codes
run_case "the company seals are held to it, else every signature; unsigned" case_which
run_case "usage: a wrong check character, an empty name" case_usage
run_case "a folder: the reason column" case_folder
finish
