#!/usr/bin/env bash
# Renders a benchmark report's index.html in headless Chromium and checks
# that its table of contents and the ratio-to-Go chart rendered: their ids in
# the DOM Chromium built (--dump-dom, after parsing), and a screenshot that is a
# real page (a PNG of the window's size, far larger than a blank page).
# Skips (exit 0) when Chromium is absent. The ratio chart is required only
# when the report has Go figures (results.json in the same directory).
#
# usage: [SCREENSHOT=out.png] scripts/check_report_screenshot.sh [REPORT_DIR]   (default: reports/latest)
set -euo pipefail

dir="${1:-reports/latest}"
html="$dir/index.html"
fail() { echo "check_report_screenshot: FAIL: $*" >&2; exit 1; }
[[ -f "$html" ]] || fail "$html not found (run: cargo xtask bench --smoke)"

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
done
if [[ -z "$browser" ]]; then
    echo "check_report_screenshot: SKIPPED: Chromium not installed (Debian: apt-get install -y chromium)"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
url="file://$(realpath "$html")"
width=1200
height=3000
run() {
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d -p "$work")" --hide-scrollbars "$@" 2>/dev/null || true
}

# 1. The DOM as Chromium parsed it.
run --dump-dom "$url" >"$work/dom.html"
[[ -s "$work/dom.html" ]] || fail "Chromium produced no DOM for $html"
grep -q '<nav id="toc">' "$work/dom.html" || fail "no table of contents (nav#toc) in the DOM"
links=$(grep -o '<a href="#[^"]*"' "$work/dom.html" | sort -u | wc -l)
(( links >= 3 )) || fail "the table of contents links only $links sections"
for id in $(grep -o '<li><a href="#[^"]*"' "$work/dom.html" | sed 's/.*#//; s/"$//'); do
    grep -q "<section id=\"$id\">" "$work/dom.html" || fail "contents link #$id has no section"
done
wants_ratio=0
if [[ -f "$dir/results.json" ]] && grep -q '"implementation": "go"' "$dir/results.json"; then
    wants_ratio=1
fi
if grep -q '<figure id="plot-ratio_to_go"><svg' "$work/dom.html"; then
    # The chart has drawn bars and the 1× line.
    chart=$(sed -n '/<figure id="plot-ratio_to_go">/,/<\/figure>/p' "$work/dom.html")
    bars=$(grep -o '<rect' <<<"$chart" | wc -l)
    (( bars >= 4 )) || fail "the ratio chart has only $bars rectangles"
elif (( wants_ratio )); then
    fail "the report has Go figures but no ratio-to-Go chart (figure#plot-ratio_to_go)"
else
    echo "check_report_screenshot: note: no Go figures, so no ratio chart to check"
fi

# 2. A screenshot of the page.
shot="${SCREENSHOT:-$work/report.png}"
run --window-size="$width,$height" --screenshot="$shot" "$url" >/dev/null
[[ -s "$shot" ]] || fail "Chromium produced no screenshot of $html"
# PNG signature, then IHDR: width and height as big-endian 32-bit numbers.
sig=$(od -An -tx1 -N8 "$shot" | tr -d ' \n')
[[ "$sig" == "89504e470d0a1a0a" ]] || fail "$shot is not a PNG"
w=$(( 16#$(od -An -tx1 -j16 -N4 "$shot" | tr -d ' \n') ))
h=$(( 16#$(od -An -tx1 -j20 -N4 "$shot" | tr -d ' \n') ))
(( w == width && h == height )) || fail "screenshot is ${w}x$h, not ${width}x$height"
size=$(stat -c %s "$shot")
# A blank page of this size compresses to a few kB; tables, the contents and
# the charts make the top of the report far larger.
(( size >= 100000 )) || fail "screenshot is only $size bytes: the page looks blank"
echo "check_report_screenshot: OK: contents ($links links)$( (( wants_ratio )) && echo ' and ratio chart') rendered (${w}x$h, $size bytes: $shot)"
