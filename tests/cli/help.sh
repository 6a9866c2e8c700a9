#!/usr/bin/env bash
# The command's own help: `seal help CMD` is `seal CMD --help` for every
# command (stdout, exit 0); an unknown or extra word is a usage error (exit
# 2, one line naming it, then the command list on stderr); `seal --help`
# names the man page and how it gets installed; the man page installs with
# `cmake --install` and formats without warnings.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COMMANDS=(sign inspect token verify enrol make batch extend undo encrypt decrypt)

help_each() {
    local c
    for c in "${COMMANDS[@]}"; do
        expect_exit 0 "$SEAL" "$c" --help
        expect_quiet
        cp "$T/stdout" "$T/direct"
        [ -s "$T/direct" ] || die "$c --help printed nothing"
        head -1 "$T/direct" | grep "^usage: seal $c " >/dev/null || die "$c --help: $(head -1 "$T/direct")"
        expect_exit 0 "$SEAL" help "$c"
        expect_quiet
        cmp -s "$T/stdout" "$T/direct" || die "seal help $c differs from seal $c --help"
    done
    note "${#COMMANDS[@]} commands: seal help CMD = seal CMD --help"
}

help_errors() {
    expect_exit 2 "$SEAL" help nosuch
    [ "$(head -1 "$T/stderr")" = "seal: unknown command 'nosuch'" ] || { show_output; die "unknown command"; }
    grep '^  verify ' "$T/stderr" >/dev/null || die "no command list after the reason"
    [ ! -s "$T/stdout" ] || die "stdout written"
    expect_exit 2 "$SEAL" help verify sign
    [ "$(head -1 "$T/stderr")" = "seal: 'seal help' takes one command (got 2 words)" ] || { show_output; die "extra word"; }
    expect_exit 2 "$SEAL" frobnicate
    [ "$(head -1 "$T/stderr")" = "seal: unknown command 'frobnicate'" ] || { show_output; die "unknown command"; }
    expect_exit 2 "$SEAL"
    head -1 "$T/stderr" | grep '^usage: seal COMMAND' >/dev/null || { show_output; die "bare seal"; }
}

help_top() {
    local w
    for w in --help -h help; do
        expect_exit 0 "$SEAL" "$w"
        expect_quiet
        grep "'seal help COMMAND' (or 'seal COMMAND --help')" "$T/stdout" >/dev/null || die "$w: no 'seal help COMMAND'"
        grep "installed by 'cmake --install build'" "$T/stdout" >/dev/null || die "$w: the man page's install not named"
    done
    expect_exit 0 "$SEAL" --version
    grep -E '^seal [0-9]+\.[0-9]+\.[0-9]+$' "$T/stdout" >/dev/null || die "version: $(cat "$T/stdout")"
}

man_page() {
    local build
    build=$(dirname "$SEAL")
    [ -f "$build/cmake_install.cmake" ] || skip_case "no cmake_install.cmake beside $SEAL"
    cmake --install "$build" --prefix "$T/prefix" >"$T/install.log" 2>&1 || { cat "$T/install.log"; die "cmake --install"; }
    [ -f "$T/prefix/share/man/man1/seal.1" ] || die "the man page is not installed under share/man/man1"
    cmp -s "$T/prefix/share/man/man1/seal.1" "$SRC/docs/seal.1" || die "the installed page is not docs/seal.1"
    command -v groff >/dev/null || skip_case "groff not installed (the page was installed)"
    groff -k -man -Tutf8 -ww -z "$SRC/docs/seal.1" 2>"$T/groff.err" || die "groff failed"
    [ ! -s "$T/groff.err" ] || { cat "$T/groff.err"; die "groff warnings"; }
    local c
    for c in "${COMMANDS[@]}"; do
        grep "^\\\\fBseal $c\\\\fR" "$SRC/docs/seal.1" >/dev/null || die "the man page's synopsis lacks seal $c"
    done
}

run_case "seal help CMD: each command's own help" help_each
run_case "unknown command, extra word, bare seal: exit 2 with the reason" help_errors
run_case "seal --help names seal help and the man page" help_top
run_case "cmake --install puts docs/seal.1 in share/man/man1; it formats cleanly" man_page
finish
