# The HTML report as a browser shows it: headless Chromium (Debian package
# chromium) loads the self-contained report offline; the rendered DOM must
# have one row per signature and every seal image decoded. Skipped (77)
# without chromium.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "verify_html_chromium: chromium not installed"; exit 77; }
require jq

export SEAL_P12_PASSWORD
SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")

case_rendered() {
    local W=$T/html
    mkdir -p "$W"
    expect_exit 0 "$SEAL" sign "$FIX/pdf/three.pdf" -o "$W/a.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 105,250
    expect_exit 0 "$SEAL" sign "$W/a.pdf" -o "$W/b.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/legalrep.pdf" --page 2 --at 105,250
    expect_exit 0 "$SEAL" verify "$W/b.pdf" --trust "$FIX/ca/root.pem" --html "$W/r.html"
    # A script appended to a copy reports what the browser rendered.
    cp "$W/r.html" "$W/probe.html"
    cat >>"$W/probe.html" <<'JS'
<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll('img'));
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  var rows = document.querySelectorAll('tr.sig').length;
  document.title = 'RESULT rows=' + rows + ' images=' + imgs.length + ' decoded=' + ok;
});
</script>
JS
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-extensions --no-first-run \
        --virtual-time-budget=5000 --dump-dom "file://$W/probe.html" >"$W/dom.html" 2>"$W/chromium.log" \
        || { tail -5 "$W/chromium.log"; die "chromium failed"; }
    local t
    t=$(grep -o 'RESULT rows=[0-9]* images=[0-9]* decoded=[0-9]*' "$W/dom.html" || true)
    note "$t"
    [ "$t" = "RESULT rows=2 images=4 decoded=4" ] || die "rendered report: '$t', expected 2 rows and 4 decoded images"
}

run_case "headless Chromium renders one row per signature and the seal images" case_rendered
finish
