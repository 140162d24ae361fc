#!/usr/bin/env bash
# Render an incentive HTML report in headless Chromium and save a PNG screenshot.
#
#   scripts/screenshot_report.sh REPORT.html [OUT.png] [WIDTH] [HEIGHT]
#
# Checks by eye that a report page renders offline: charts drawn, Chinese
# labels shown in a CJK font. Needs Chromium and a CJK font; on Debian/Ubuntu:
#
#   apt-get install chromium fonts-noto-cjk
#
# Not run in CI (a browser is a large install); the page itself is tested in
# tests/report/test_html.py. Network access is disabled for the render, so a
# page that needed anything from outside would show it as missing.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 4 ]]; then
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
report=$1
out=${2:-${report%.html}.png}
width=${3:-1200}
height=${4:-4000}

if [[ ! -f $report ]]; then
    echo "no such report: $report" >&2
    exit 2
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
    echo "Chromium not found: apt-get install chromium fonts-noto-cjk" >&2
    exit 2
fi

url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --proxy-server="127.0.0.1:9" --proxy-bypass-list="<-loopback>" \
    --window-size="$width,$height" --screenshot="$out" "$url" >/dev/null 2>&1
echo "wrote $out"
