#!/usr/bin/env bash
# What seal sign says about where the seals went: one stdout line per seal
# (and --json the same), warnings (exit 0, one "seal: warning: " line each)
# for a seal over an existing seal or field, partly off the page, or
# cross-page strips too thin to see (with the --group to use, and
# --group auto choosing); a seal centred off its page refused (exit 4,
# nothing written); non-finite or malformed numbers are usage errors
# (exit 2); a keyword split across two lines found, anchored on its first
# part.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require jq python3 pdftoppm

PIN=(--pin-file "$FIX/pin.txt")
SIGN=(--key "$KEY_COMPANY" "${PIN[@]}" --seal "$FIX/art/company.pdf")
ONE=$FIX/pdf/one.pdf

# expect_stderr TEXT: stderr is exactly TEXT (lines separated by newlines).
expect_stderr() {
    [ "$(cat "$T/stderr")" = "$1" ] || { show_output; die "stderr is not: $1"; }
}

# expect_stdout TEXT: stdout is exactly TEXT.
expect_stdout() {
    [ "$(cat "$T/stdout")" = "$1" ] || { show_output; die "stdout is not: $1"; }
}

# usage FLAG VALUE ARGS...: exit 2, the first stderr line names VALUE, no output.
usage() {
    local want=$1
    shift
    rm -f "$T/u.pdf"
    expect_exit 2 "$SEAL" "$@"
    [ "$(head -1 "$T/stderr")" = "$want" ] || { show_output; die "expected '$want'"; }
    grep -q '^usage: ' "$T/stderr" || die "no usage line"
    [ ! -e "$T/u.pdf" ] || die "a usage error wrote $T/u.pdf"
}

placement_lines() {
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/a.pdf" "${SIGN[@]}" --page 1 --at 60,80
    expect_stderr ""
    expect_stdout "page 1: seal at 60.0,80.0 mm (at), field Seal1"
    # --json: the same placement.
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/aj.pdf" "${SIGN[@]}" --page 1 --at 60,80 --json
    expect_stderr ""
    [ "$(jq -c '[.file, .field, (.placements | length), .placements[0].page, .placements[0].kind,
                .placements[0].center_mm, .placements[0].size_mm, .placements[0].field]' "$T/stdout")" \
        = "[\"$T/aj.pdf\",\"Seal1\",1,1,\"at\",[60,80],[42,42],\"Seal1\"]" ] \
        || { show_output; die "--json does not describe the placement"; }
    # --pages: one line per page; an invisible signature prints nothing.
    python3 "$TOOLS/mkpdf.py" "$T/three.pdf" --pages 3
    expect_exit 0 "$SEAL" sign "$T/three.pdf" -o "$T/p.pdf" "${SIGN[@]}" --pages 1,3 --at 100,200
    expect_stdout "page 1: seal at 100.0,200.0 mm (pages), field Seal1
page 3: seal at 100.0,200.0 mm (pages), field Seal1"
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/inv.pdf" --key "$KEY_COMPANY" "${PIN[@]}"
    expect_stdout ""
    expect_stderr ""
    # --preview says the same of the seals it draws.
    expect_exit 0 "$SEAL" sign "$ONE" --preview "$T/pv.png" --seal "$FIX/art/company.pdf" --page 1 --at 60,80
    expect_stdout "page 1: seal at 60.0,80.0 mm (at), field Seal1"
    # Many files: --json-log, not --json.
    mkdir -p "$T/many"
    usage "seal: --json reports one output; for many files use --json-log F" sign "$ONE" "$T/three.pdf" \
        -o "$T/many/" "${SIGN[@]}" --page 1 --at 60,80 --json
    [ -z "$(ls -A "$T/many")" ] || die "a usage error wrote into $T/many"
}

overlaps() {
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/a.pdf" "${SIGN[@]}" --page 1 --at 60,80
    # Over the first seal: a warning, the seal still made.
    expect_exit 0 "$SEAL" sign "$T/a.pdf" -o "$T/b.pdf" "${SIGN[@]}" --page 1 --at 70,90
    expect_stderr "seal: warning: page 1: the seal at (70.0, 90.0) mm overlaps the seal of signature 'Seal1'"
    expect_stdout "page 1: seal at 70.0,90.0 mm (at), field Seal2"
    check_prefix "$T/a.pdf" "$T/b.pdf"
    # Clear of it: no warning.
    expect_exit 0 "$SEAL" sign "$T/a.pdf" -o "$T/c.pdf" "${SIGN[@]}" --page 1 --at 150,200
    expect_stderr ""
    # Over an empty signature field of the template; filling that field
    # itself is no overlap.
    python3 "$TOOLS/addfield.py" "$ONE" "$T/tpl.pdf" Tender 100,500,200,600
    expect_exit 0 "$SEAL" sign "$T/tpl.pdf" -o "$T/d.pdf" "${SIGN[@]}" --page 1 --at 50,110
    expect_stderr "seal: warning: page 1: the seal at (50.0, 110.0) mm overlaps the empty signature field 'Tender'"
    expect_exit 0 "$SEAL" sign "$T/tpl.pdf" -o "$T/e.pdf" "${SIGN[@]}" --field Tender
    expect_stderr ""
    expect_stdout "page 1: seal at 52.9,103.0 mm (field), field Tender"
    # Two seals of one signature on each other: a keyword seal near the
    # edge and the cross-page strip there.
    python3 "$TOOLS/mkpdf.py" "$T/kw.pdf" --pages 2 --text '1:180,150:投标人（盖章）'
    expect_exit 0 "$SEAL" sign "$T/kw.pdf" -o "$T/f.pdf" "${SIGN[@]}" --keyword 投标人 --cross-page
    expect_stderr "seal: warning: page 1: the cross-page strip at (199.5, 148.5) mm overlaps another seal of this signature, at (186.3, 148.2) mm"
    expect_stdout "cross-page: 2 pages in 1 group of 2, strips 21 mm
page 1: seal at 186.3,148.2 mm (keyword), field Seal1
page 1: strip at 199.5,148.5 mm (cross-page, group 1/1, strip 1/2), field Seal1
page 2: strip at 199.5,148.5 mm (cross-page, group 1/1, strip 2/2), field Seal1"
}

off_page() {
    # Partly off: a warning; the seal is made where asked.
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/a.pdf" "${SIGN[@]}" --page 1 --at 5,40
    expect_stderr "seal: warning: page 1: the seal at (5.0, 40.0) mm lies partly off the page (210.0 x 297.0 mm as displayed)"
    expect_stdout "page 1: seal at 5.0,40.0 mm (at), field Seal1"
    # Centre off: refused, nothing written, the input untouched.
    expect_failure 4 '^seal: --at: seal centre \(250\.0, 40\.0\) mm is outside page 1 \(210\.0 x 297\.0 mm as displayed\)$' \
        "$ONE" -- sign "$ONE" -o @OUT@ "${SIGN[@]}" --page 1 --at 250,40
    expect_stdout ""
    expect_failure 4 '^seal: --at: seal centre \(100\.0, -0\.5\) mm is outside page 1' \
        "$ONE" -- sign "$ONE" -o @OUT@ "${SIGN[@]}" --page 1 --at 100,-0.5
    # A keyword offset that puts the centre off the page.
    python3 "$TOOLS/mkpdf.py" "$T/kw.pdf" --text '1:100,100:投标人（盖章）'
    expect_failure 4 '^seal: --keyword: seal centre \(.*\) mm is outside page 1' \
        "$T/kw.pdf" -- sign "$T/kw.pdf" -o @OUT@ "${SIGN[@]}" --keyword 投标人 --offset 200,0
    # A cross-page seal centred below the page.
    python3 "$TOOLS/mkpdf.py" "$T/three.pdf" --pages 3
    expect_failure 4 '^seal: --cross-page: the seal centre at height 400\.0 mm is outside page 1 \(297\.0 mm high as displayed\)$' \
        "$T/three.pdf" -- sign "$T/three.pdf" -o @OUT@ "${SIGN[@]}" --cross-page --y 400
    # Partly off at the top: one warning for all three pages.
    expect_exit 0 "$SEAL" sign "$T/three.pdf" -o "$T/c.pdf" "${SIGN[@]}" --cross-page --y 10
    expect_stderr "seal: warning: --cross-page: the seal at height 10.0 mm lies partly off 3 pages (the first is page 1)"
}

cross_thin() {
    python3 "$TOOLS/mkpdf.py" "$T/p240.pdf" --pages 240
    # One seal over 240 pages: 0.175 mm strips; the warning names --group 10.
    expect_exit 0 "$SEAL" sign "$T/p240.pdf" -o "$T/a.pdf" "${SIGN[@]}" --cross-page
    expect_stderr "seal: warning: --cross-page: 240 pages per 42.0 mm seal give strips of 0.175 mm, too thin to see; use --group 10 (strips 4.2 mm) or --group auto"
    [ "$(head -1 "$T/stdout")" = "cross-page: 240 pages in 1 group of 240, strips 0.175 mm" ] \
        || { show_output; die "no cross-page summary"; }
    [ "$(grep -c '' "$T/stdout")" = 241 ] || die "$(grep -c '' "$T/stdout") lines, expected 1 + 240"
    [ "$(sed -n 2p "$T/stdout")" = "page 1: strip at 209.9,148.5 mm (cross-page, group 1/1, strip 1/240), field Seal1" ] \
        || { show_output; die "first strip line"; }
    # Groups of 20 still give 2.1 mm strips.
    expect_exit 0 "$SEAL" sign "$T/p240.pdf" -o "$T/b.pdf" "${SIGN[@]}" --cross-page --group 20
    expect_stderr "seal: warning: --cross-page: 20 pages per 42.0 mm seal give strips of 2.1 mm, too thin to see; use --group 10 (strips 4.2 mm) or --group auto"
    # The suggested --group 10: no warning.
    expect_exit 0 "$SEAL" sign "$T/p240.pdf" -o "$T/c.pdf" "${SIGN[@]}" --cross-page --group 10
    expect_stderr ""
    # --group auto chooses 24 groups of 10 and says so.
    expect_exit 0 "$SEAL" sign "$T/p240.pdf" -o "$T/d.pdf" "${SIGN[@]}" --cross-page --group auto
    expect_stderr ""
    [ "$(head -1 "$T/stdout")" = "cross-page: 240 pages in 24 groups of 10, strips 4.2 mm" ] \
        || { show_output; die "auto groups"; }
    [ "$(sed -n 12p "$T/stdout")" = "page 11: strip at 207.9,148.5 mm (cross-page, group 2/24, strip 1/10), field Seal1" ] \
        || { show_output; die "page 11 does not start group 2"; }
    # The same in JSON: every page once, groups of 10 with strips 1..10.
    expect_exit 0 "$SEAL" sign "$T/p240.pdf" -o "$T/e.pdf" "${SIGN[@]}" --cross-page --group auto --json
    expect_stderr ""
    [ "$(jq -c '.cross_page' "$T/stdout")" = '{"pages":240,"groups":24,"group_pages":[10,10],"strip_mm":[4.2,4.2]}' ] \
        || die "cross_page: $(jq -c '.cross_page' "$T/stdout")"
    jq -e '[.placements[] | .page] == [range(1; 241)]
           and ([.placements[] | .group] == [range(0; 240) | (. / 10 | floor) + 1])
           and ([.placements[] | .strip] == [range(0; 240) | . % 10 + 1])
           and all(.placements[]; .kind == "cross-page" and .groups == 24 and .size_mm == [4.2, 42])' \
        "$T/stdout" >/dev/null || die "--json placements do not match 24 groups of 10"
    # 25 pages: three near-equal groups rather than 10, 10 and 5.
    expect_exit 0 "$SEAL" sign "$T/p240.pdf" -o "$T/f.pdf" "${SIGN[@]}" --cross-page --group auto --pages 1-25
    expect_stderr ""
    [ "$(head -1 "$T/stdout")" = "cross-page: 25 pages in 3 groups of 8-9, strips 4.67-5.25 mm" ] \
        || { show_output; die "auto groups of 25 pages"; }
    # Few pages: one group, as without --group.
    expect_exit 0 "$SEAL" sign "$T/p240.pdf" -o "$T/g.pdf" "${SIGN[@]}" --cross-page --group auto --pages 1-4
    [ "$(head -1 "$T/stdout")" = "cross-page: 4 pages in 1 group of 4, strips 10.5 mm" ] \
        || { show_output; die "auto groups of 4 pages"; }
    # A job file takes "group": "auto" too.
    mkdir -p "$T/job"
    cat >"$T/job.json" <<EOF
{ "version": 1, "inputs": ["$T/p240.pdf"], "output": "$T/job/",
  "keys": { "k": { "uri": "$KEY_COMPANY", "pin_file": "$FIX/pin.txt" } },
  "steps": [ { "key": "k", "seal": "$FIX/art/company.pdf",
               "placements": [ { "cross_page": true, "group": "auto" } ] } ] }
EOF
    expect_exit 0 "$SEAL" batch "$T/job.json"
    ! grep '^seal: warning: ' "$T/stderr" >/dev/null || { show_output; die "auto groups warned in a batch"; }
    [ "$(ls "$T/job" | grep -c '\.pdf$')" = 1 ] || die "the job made $(ls "$T/job")"
    # Without "auto" the batch warns, once, naming the file.
    sed -i 's/"group": "auto"/"group": 40/' "$T/job.json"
    rm -rf "$T/job" && mkdir "$T/job"
    expect_exit 0 "$SEAL" batch "$T/job.json"
    [ "$(grep '^seal: warning: ' "$T/stderr")" = "seal: warning: $T/p240.pdf: --cross-page: 40 pages per 42.0 mm seal give strips of 1.05 mm, too thin to see; use --group 10 (strips 4.2 mm) or --group auto" ] \
        || { show_output; die "the batch's warning"; }
    # sign -o DIR/ (a batch) prints no placement lines.
    rm -rf "$T/job" && mkdir "$T/job"
    expect_exit 0 "$SEAL" sign "$T/p240.pdf" -o "$T/job/" "${SIGN[@]}" --cross-page --group auto
    expect_stdout ""
}

bad_numbers() {
    local a
    for a in nan,inf nan,1 1,inf -inf,5 1e999,5 0x10,5 ' 1,2' '1, 2' 1,2x 1 ,; do
        usage "seal: --at takes X,Y in mm, not '$a'" sign "$ONE" -o "$T/u.pdf" "${SIGN[@]}" --page 1 --at "$a"
    done
    usage "seal: --offset takes DX,DY in mm, not 'inf,0'" sign "$ONE" -o "$T/u.pdf" "${SIGN[@]}" \
        --keyword x --offset inf,0
    usage "seal: --y takes a height in mm, not 'nan'" sign "$ONE" -o "$T/u.pdf" "${SIGN[@]}" --cross-page --y nan
    usage "seal: --y takes a height in mm, not 'infinity'" sign "$ONE" -o "$T/u.pdf" "${SIGN[@]}" \
        --cross-page --y infinity
    usage "seal: --group takes a number of pages from 2 or auto, not 'automatic'" sign "$ONE" -o "$T/u.pdf" \
        "${SIGN[@]}" --cross-page --group automatic
    for a in nan inf 40xnan 0x28 40x; do
        usage "seal: --size is a diameter in mm (40) or WIDTHxHEIGHT (40x30)" make --kind company \
            --name 测试有限公司 --size "$a" -o "$T/u.pdf"
    done
    # A job file's NaN (json-c reads it) is refused like the command line's.
    cat >"$T/nan.json" <<EOF
{ "version": 1, "inputs": ["$ONE"], "output": "$T/nanout/",
  "keys": { "k": { "uri": "$KEY_COMPANY" } },
  "steps": [ { "key": "k", "seal": "$FIX/art/company.pdf", "placements": [ { "page": 1, "at": [NaN, 5] } ] } ] }
EOF
    expect_exit 2 "$SEAL" batch "$T/nan.json"
    expect_msg 'placements\[0\]: "at" is \[x, y\] in mm'
    [ ! -e "$T/nanout" ] || [ -z "$(ls -A "$T/nanout")" ] || die "a refused job wrote output"
}

split_keyword() {
    # 投标人 ends one line, （盖章） starts the next; the keyword is found on
    # page 1 anchored on 投标人 (150 mm + two 12 pt glyphs, 12.7 mm wide:
    # centre x 164.8 mm; on line 1, not between the lines), and whole on page 2.
    python3 "$TOOLS/mkpdf.py" "$T/split.pdf" --pages 2 \
        --text '1:150,100:正文投标人' --text '1:30,106:（盖章）：' --text '2:40,60:投标人（盖章）：'
    expect_exit 0 "$SEAL" sign "$T/split.pdf" -o "$T/a.pdf" "${SIGN[@]}" --keyword '投标人（盖章）' --all
    expect_stderr ""
    expect_stdout "page 1: seal at 164.8,98.2 mm (keyword), field Seal1
page 2: seal at 54.8,58.2 mm (keyword), field Seal1"
    # The anchor is the glyphs' box: 12 pt glyphs on baselines at 100 and
    # 60 mm sit 1.8 mm above them (ascent 880, descent 120 per 1000). And
    # poppler draws the seal there.
    pdftoppm -r 100 -f 1 -l 1 -singlefile "$T/a.pdf" "$T/page" 2>/dev/null || die "pdftoppm failed"
    python3 "$TOOLS/redbox.py" "$T/page.ppm" 100 | jq -e '(.centre_mm[0] - 164.8 | fabs) < 0.5
        and (.centre_mm[1] - 98.2 | fabs) < 0.5' >/dev/null \
        || die "the seal is drawn at $(python3 "$TOOLS/redbox.py" "$T/page.ppm" 100 | jq -c .centre_mm)"
    # --nth 1 is the split one; a space in the keyword also spans lines.
    expect_exit 0 "$SEAL" sign "$T/split.pdf" -o "$T/b.pdf" "${SIGN[@]}" --keyword '投标人（盖章）：' --nth 1
    expect_stdout "page 1: seal at 164.8,98.2 mm (keyword), field Seal1"
    expect_exit 0 "$SEAL" sign "$T/split.pdf" -o "$T/c.pdf" "${SIGN[@]}" --keyword '投标人 （盖章）' --all
    expect_stdout "page 1: seal at 164.8,98.2 mm (keyword), field Seal1"
    # Lines that are not consecutive are not joined.
    python3 "$TOOLS/mkpdf.py" "$T/apart.pdf" --text '1:150,100:投标人' --text '1:30,150:别的' \
        --text '1:30,200:（盖章）'
    expect_failure 4 "^seal: keyword '投标人（盖章）' not found on page 1$" "$T/apart.pdf" -- \
        sign "$T/apart.pdf" -o @OUT@ "${SIGN[@]}" --keyword '投标人（盖章）'
}

run_case "one line per seal on stdout, --json the same" placement_lines
run_case "overlapping an existing seal or field: a warning" overlaps
run_case "partly off the page: a warning; centre off: exit 4, nothing written" off_page
run_case "cross-page strips under 4 mm: warning, --group K, --group auto" cross_thin
run_case "nan, inf and malformed numbers: exit 2" bad_numbers
run_case "keyword split across two lines, anchored on its first part" split_keyword
finish
