#!/usr/bin/env bash
# Most CA tokens hold the signer's certificate but not its CA chain. With
# --chain CA.pem the chain still goes into the CMS, so the signature verifies
# against the root alone; the token's own CA certificates are used when it
# has them (SealToken, see sign_interop.sh).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require pdfsig openssl python3

ONE=$FIX/pdf/one.pdf

with_chain_option() {
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/bare.pdf" --key "$KEY_BARE" --pin-file "$FIX/pin.txt" \
        --chain "$FIX/chain.pem"
    expect_quiet
    check_prefix "$ONE" "$T/bare.pdf"
    check_pdfsig "$T/bare.pdf" 1
    check_cms "$T/bare.pdf" 1
}

chain_file_unusable() {
    expect_failure 4 'chain|certificate|notpdf' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_BARE" \
        --pin-file "$FIX/pin.txt" --chain "$FIX/pdf/notpdf.pdf"
}

run_case "token without CA certificates, --chain chain.pem: chain in the CMS" with_chain_option
run_case "--chain file that holds no certificate is refused" chain_file_unusable
finish
