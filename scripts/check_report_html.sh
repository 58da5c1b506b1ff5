#!/usr/bin/env bash
# Loads the benchmark report's index.html in headless Chromium and takes a
# screenshot, then checks that the page rendered (a non-trivial PNG) and that
# the HTML carries every plot inline; then runs check_report_screenshot.sh
# (table of contents and ratio chart). Skips (exit 0) when Chromium is absent.
#
# usage: [SCREENSHOT=out.png] scripts/check_report_html.sh [REPORT_DIR]   (default: reports/latest)
set -euo pipefail

dir="${1:-reports/latest}"
html="$dir/index.html"
if [[ ! -f "$html" ]]; then
    echo "check_report_html: $html not found (run: cargo xtask bench --smoke)" >&2
    exit 1
fi

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
done
if [[ -z "$browser" ]]; then
    echo "check_report_html: SKIPPED: Chromium not installed (Debian: apt-get install -y chromium)"
    exit 0
fi

# Structure: every plot the directory holds is inlined as an SVG figure.
for svg in "$dir"/*.svg; do
    stem="$(basename "$svg" .svg)"
    if ! grep -q "id=\"plot-$stem\"><svg" "$html"; then
        echo "check_report_html: FAIL: $stem.svg is not inlined in $html" >&2
        exit 1
    fi
done

profile="$(mktemp -d)"
shot="${SCREENSHOT:-$(mktemp -d)/report.png}"
trap 'rm -rf "$profile"' EXIT
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1200,2400 \
    --screenshot="$shot" "file://$(realpath "$html")" >/dev/null 2>&1 || true

if [[ ! -s "$shot" ]]; then
    echo "check_report_html: FAIL: Chromium produced no screenshot of $html" >&2
    exit 1
fi
size=$(stat -c %s "$shot")
# A blank 1200x2400 page compresses to a few kB; the report's plots and tables
# make it far larger.
if (( size < 50000 )); then
    echo "check_report_html: FAIL: screenshot is only $size bytes: the page looks blank" >&2
    exit 1
fi
echo "check_report_html: OK: $html rendered in $browser ($size-byte screenshot: $shot)"

# The table of contents and the ratio chart, from Chromium's DOM and a screenshot.
"$(dirname "$0")/check_report_screenshot.sh" "$dir"
