#!/usr/bin/env bash
# Bad input, bad keys, bad tokens: the documented exit code (2 usage, 4
# unusable input, 5 key or token), a one-line "seal: ..." reason, no output
# file and no temporary file left behind, the input unchanged. PIN states a
# real token cannot show come from the fault-injecting module (fakep11).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require openssl python3 qpdf pdfsig

ONE=$FIX/pdf/one.pdf
PIN=(--pin-file "$FIX/pin.txt")

# ---------------------------------------------------------------- input (4)
not_a_pdf() {
    expect_failure 4 'pdf' "$FIX/pdf/notpdf.pdf" -- sign "$FIX/pdf/notpdf.pdf" -o @OUT@ \
        --key "$KEY_COMPANY" "${PIN[@]}"
}

truncated() {
    expect_failure 4 'truncat|damaged|broken|corrupt|xref|end of file|eof|incomplete|invalid' \
        "$FIX/pdf/truncated.pdf" -- sign "$FIX/pdf/truncated.pdf" -o @OUT@ --key "$KEY_COMPANY" "${PIN[@]}"
}

missing_input() {
    expect_failure 4 'no-such-file\.pdf|no such file|not found|cannot open|unreadable' "$ONE" -- \
        sign "$T/no-such-file.pdf" -o @OUT@ --key "$KEY_COMPANY" "${PIN[@]}"
}

encrypted_no_password() {
    expect_failure 4 'password|encrypt' "$FIX/pdf/encrypted.pdf" -- sign "$FIX/pdf/encrypted.pdf" \
        -o @OUT@ --key "$KEY_COMPANY" "${PIN[@]}"
}

encrypted_wrong_password() {
    PDFPW=nope expect_failure 4 'password' "$FIX/pdf/encrypted.pdf" -- sign "$FIX/pdf/encrypted.pdf" \
        -o @OUT@ --key "$KEY_COMPANY" "${PIN[@]}" --password-env PDFPW
}

encrypted_with_password() {
    local out=$T/encrypted-signed.pdf
    PDFPW=opw expect_exit 0 "$SEAL" sign "$FIX/pdf/encrypted.pdf" -o "$out" --key "$KEY_COMPANY" \
        "${PIN[@]}" --password-env PDFPW --seal "$FIX/art/company.pdf" --page 1 --at 105,250
    expect_quiet
    check_prefix "$FIX/pdf/encrypted.pdf" "$out"
    check_pdfsig "$out" 1 -opw opw
    check_qpdf "$out" --password=opw
}

twopage_artwork() {
    expect_failure 4 'artwork|page|seal' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_COMPANY" \
        "${PIN[@]}" --seal "$FIX/art/twopage.pdf" --page 1 --at 100,100
}

artwork_not_pdf() {
    expect_failure 4 'artwork|seal|pdf' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_COMPANY" \
        "${PIN[@]}" --seal "$FIX/pdf/notpdf.pdf" --page 1 --at 100,100
}

page_out_of_range() {
    expect_failure 4 'page' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/company.pdf" --page 9 --at 100,100
}

# ---------------------------------------------------------------- keys (5)
no_such_token() {
    expect_failure 5 'token' "$ONE" -- sign "$ONE" -o @OUT@ \
        --key "pkcs11:token=NoSuchToken;object=company?module-path=$SOFTHSM2_MODULE" "${PIN[@]}"
}

no_such_key() {
    expect_failure 5 'nosuchkey|not found|no (such )?(key|object|private key)' "$ONE" -- sign "$ONE" -o @OUT@ \
        --key "pkcs11:token=SealToken;object=nosuchkey?module-path=$SOFTHSM2_MODULE" "${PIN[@]}"
}

no_such_module() {
    expect_failure 5 'module|no-such-module|load|open' "$ONE" -- sign "$ONE" -o @OUT@ \
        --key "pkcs11:token=SealToken;object=company?module-path=$T/no-such-module.so" "${PIN[@]}"
}

wrong_pin() {
    expect_failure 5 'PIN' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_COMPANY" \
        --pin-file "$FIX/badpin.txt"
    grep -Eiq 'incorrect|wrong|invalid|bad' "$T/stderr" || die "message does not say the PIN is wrong"
}

wrong_pin_env() {
    SEAL_PIN=907153 expect_failure 5 'PIN' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_COMPANY"
    ! grep -q 907153 "$T/stderr" "$T/stdout" || die "the PIN appears in the output"
    ! grep -q 654321 "$T/stderr" "$T/stdout" || die "a PIN appears in the output"
}

encryption_cert() {
    expect_failure 5 'encrypt' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_ENCRYPTION" "${PIN[@]}"
}

expired_cert() {
    expect_failure 5 'expired' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_EXPIRED" "${PIN[@]}"
}

expiring_cert_warns() {
    local out=$T/expiring.pdf
    expect_exit 0 "$SEAL" sign "$ONE" -o "$out" --key "$KEY_EXPIRING" "${PIN[@]}"
    grep -Eiq '^seal: warning: .*expir' "$T/stderr" || { show_output; die "no expiry warning"; }
    check_prefix "$ONE" "$out"
    check_pdfsig "$out" 1
}

p12_wrong_password() {
    SEAL_P12_PASSWORD=wrong expect_failure 5 'password|pkcs#?12|p12' "$ONE" -- sign "$ONE" -o @OUT@ \
        --key "p12:$FIX/signer.p12"
}

p12_no_password_no_tty() {
    # No SEAL_P12_PASSWORD and no terminal to prompt on: fail, never hang.
    NO_TTY=1 expect_failure 5 'password' "$ONE" -- sign "$ONE" -o @OUT@ --key "p12:$FIX/signer.p12" \
        </dev/null
}

pkcs11_no_pin_no_tty() {
    NO_TTY=1 expect_failure 5 'PIN' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_COMPANY" </dev/null
}

# fake_login_failure MODE REGEX MAXLOGINS: the fake token in MODE; exit 5,
# the message matches REGEX, and C_Login was called at most MAXLOGINS times
# (a wrong PIN is never retried).
fake_login_failure() {
    local mode=$1 re=$2 max=$3 n
    [ -n "$FAKEP11" ] && [ -f "$FAKEP11" ] || die "FAKEP11 module not built"
    : >"$T/fake-$mode.log"
    FAKEP11_MODE=$mode FAKEP11_LOG=$T/fake-$mode.log expect_failure 5 "$re" "$ONE" -- sign "$ONE" \
        -o @OUT@ --key "pkcs11:token=FakeToken;object=company?module-path=$FAKEP11" "${PIN[@]}"
    n=$(grep -c '^C_Login' "$T/fake-$mode.log" || true)
    [ "$n" -le "$max" ] || die "C_Login called $n times (at most $max allowed): $(cat "$T/fake-$mode.log")"
    note "C_Login calls: $n"
}

fake_locked() { fake_login_failure locked 'locked' 1; }
fake_finaltry() {
    fake_login_failure finaltry 'final' 1
    grep -Eiq 'PIN' "$T/stderr" || die "message does not mention the PIN"
}
fake_countlow() {
    fake_login_failure countlow 'low' 1
    grep -Eiq 'PIN' "$T/stderr" || die "message does not mention the PIN"
}
fake_no_key() {
    # The right PIN, but the token holds no key of that name.
    fake_login_failure "" 'company|not found|no (such )?(key|object|private key)' 1
}

fake_pinpad() {
    # A pin-pad token (CKF_PROTECTED_AUTHENTICATION_PATH): log in with no PIN,
    # ask for none even without a terminal; then the (absent) key is the problem.
    [ -n "$FAKEP11" ] && [ -f "$FAKEP11" ] || die "FAKEP11 module not built"
    : >"$T/fake-pinpad.log"
    FAKEP11_MODE=pinpad FAKEP11_LOG=$T/fake-pinpad.log NO_TTY=1 expect_failure 5 \
        'company|not found|no (such )?(key|object|private key)' "$ONE" -- sign "$ONE" -o @OUT@ \
        --key "pkcs11:token=FakeToken;object=company?module-path=$FAKEP11" </dev/null
    [ "$(cat "$T/fake-pinpad.log")" = "C_Login user=1 pin_len=0 mode=pinpad rv=0x0" ] \
        || die "expected one C_Login without a PIN: $(cat "$T/fake-pinpad.log")"
}

pin_file_without_newline() {
    printf '123456' >"$T/pin-nonl.txt"
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/nonl.pdf" --key "$KEY_COMPANY" --pin-file "$T/pin-nonl.txt"
    check_pdfsig "$T/nonl.pdf" 1
}

# ---------------------------------------------------------------- usage (2)
usage_errors() {
    local a
    expect_exit 2 "$SEAL" sign
    expect_exit 2 "$SEAL" sign "$ONE"                                  # no -o, no --key
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/u.pdf"                    # no --key
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/u.pdf" --key "$KEY_COMPANY" --frobnicate
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/u.pdf" --key "$KEY_COMPANY" --seal "$FIX/art/company.pdf" \
        --page 1 --at abc
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/u.pdf" --key "$KEY_COMPANY" --seal "$FIX/art/company.pdf" \
        --page 0 --at 10,10
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/u.pdf" --key "$KEY_COMPANY" --certify 4
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/u.pdf" --key "nonsense:$ONE"
    expect_exit 2 "$SEAL" frobnicate
    for a in "$T"/u.pdf "$T"/.u.pdf*; do
        [ ! -e "$a" ] || die "usage error left $(basename "$a") behind"
    done
    grep -q '^seal: ' "$T/stderr" || die "usage error without a 'seal: ' message"
}

pin_on_command_line() {
    # A PIN is never taken from the command line: --pin is a usage error, not
    # an abbreviation of --pin-file.
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/u.pdf" --key "$KEY_COMPANY" --pin 123456
    grep -q '^seal: ' "$T/stderr" || die "usage error without a 'seal: ' message"
    [ ! -e "$T/u.pdf" ] || die "output written"
}

output_is_directory() {
    # -o names an existing directory: like cp, the output goes inside it under
    # the input's name; no temporary file is left in either place.
    local dir=$T/outdir
    mkdir -p "$dir/out.pdf"
    expect_exit 0 "$SEAL" sign "$ONE" -o "$dir/out.pdf" --key "$KEY_COMPANY" "${PIN[@]}"
    [ "$(ls -A "$dir")" = out.pdf ] || die "left beside the directory: $(ls -A "$dir" | tr '\n' ' ')"
    [ "$(ls -A "$dir/out.pdf")" = one.pdf ] || die "in the directory: $(ls -A "$dir/out.pdf" | tr '\n' ' ')"
    check_prefix "$ONE" "$dir/out.pdf/one.pdf"
    check_pdfsig "$dir/out.pdf/one.pdf" 1
}

output_is_input() {
    local before
    cp "$ONE" "$T/same.pdf"
    before=$(sha256 "$T/same.pdf")
    run "$SEAL" sign "$T/same.pdf" -o "$T/same.pdf" --key "$KEY_COMPANY" "${PIN[@]}"
    [ "$RC" = 2 ] || [ "$RC" = 4 ] || { show_output; die "exit $RC, expected 2 or 4"; }
    [ "$(sha256 "$T/same.pdf")" = "$before" ] || die "input overwritten"
}

run_case "not a PDF -> 4" not_a_pdf
run_case "truncated PDF -> 4" truncated
run_case "missing input file -> 4" missing_input
run_case "encrypted PDF without --password-env -> 4" encrypted_no_password
run_case "encrypted PDF with a wrong password -> 4" encrypted_wrong_password
run_case "encrypted PDF with the owner password -> 0, valid" encrypted_with_password
run_case "two-page artwork -> 4" twopage_artwork
run_case "artwork not a PDF -> 4" artwork_not_pdf
run_case "page out of range -> 4" page_out_of_range
run_case "no such token -> 5" no_such_token
run_case "no such key -> 5" no_such_key
run_case "no such PKCS#11 module -> 5" no_such_module
run_case "wrong PIN (--pin-file) -> 5" wrong_pin
run_case "wrong PIN (SEAL_PIN) -> 5" wrong_pin_env
run_case "encryption-only certificate -> 5" encryption_cert
run_case "expired certificate -> 5" expired_cert
run_case "certificate expiring in 10 days -> 0 with a warning" expiring_cert_warns
run_case "PKCS#12 wrong password -> 5" p12_wrong_password
run_case "PKCS#12 without password or terminal -> 5" p12_no_password_no_tty
run_case "token without PIN or terminal -> 5" pkcs11_no_pin_no_tty
run_case "locked token (fakep11) -> 5, at most one login" fake_locked
run_case "final PIN try (fakep11) -> 5, one login" fake_finaltry
run_case "PIN count low (fakep11) -> 5, one login" fake_countlow
run_case "key not on the token (fakep11) -> 5" fake_no_key
run_case "pin-pad token (fakep11): login without a PIN, no prompt" fake_pinpad
run_case "PIN file without a trailing newline" pin_file_without_newline
run_case "usage errors -> 2" usage_errors
run_case "--pin PIN on the command line -> 2" pin_on_command_line
run_case "output path = input path is refused, input intact" output_is_input
run_case "-o an existing directory: output inside it, nothing stray" output_is_directory
finish
