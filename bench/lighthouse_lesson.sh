#!/usr/bin/env bash
# Lighthouse on one page, mobile by default:
#   bench/lighthouse_lesson.sh URL [--preset=desktop] [--extra-headers='{"Cookie":"sessionid=..."}']
# Prints performance / accessibility / best practices / SEO and the metrics behind the
# performance score; the full JSON report goes to ${LH_OUT:-/tmp/lighthouse-lesson.json}.
# Needs a running server with a lesson whose video is encoded (see bench/RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
url=$1; shift
out=${LH_OUT:-/tmp/lighthouse-lesson.json}
# Installed apart, under var/, not as a devDependency: its dependencies ask for "latest"
# releases (third-party-web, legacy-javascript), which no lock file can keep, so `npm ci` of the
# project would fail each time one is published. 12.8.2 is the last release for Node 20.
lh=var/lighthouse
if [ ! -x "$lh/node_modules/.bin/lighthouse" ]; then
  npm install --prefix "$lh" --no-save --no-audit --no-fund lighthouse@12.8.2 >/dev/null
fi
CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium} "$lh/node_modules/.bin/lighthouse" "$url" "$@" \
  --chrome-flags="--headless --no-sandbox --disable-gpu" --quiet \
  --only-categories=performance,accessibility,best-practices,seo --output=json --output-path="$out"
.venv/bin/python - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c, a = r["categories"], r["audits"]
print(" / ".join(str(round(c[k]["score"] * 100)) for k in ("performance", "accessibility", "best-practices", "seo")),
      "(performance / accessibility / best practices / SEO)")
for k in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"):
    print(f"{k}: {a[k]['displayValue']}")
for k, v in a.items():
    if v.get("score") is not None and v["score"] < 0.9 and v.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"):
        print("below 0.9:", k, v.get("displayValue", ""))
PY
