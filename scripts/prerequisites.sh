#!/usr/bin/env bash
# What `make run` and `make test` need before they install anything: Python 3.11 with venv,
# and Node.js 20.19 or later with npm (the front-end packages' engines, package.json). Checked
# first, so that a missing one is named at once rather than after minutes of installing.
set -euo pipefail
python=${PYTHON:-python3.11}
missing=()
if ! command -v "$python" >/dev/null; then
  missing+=("Python 3.11 ($python on PATH, or make PYTHON=/path/to/python3.11): on Debian 12, apt-get install python3.11 python3.11-venv")
elif ! "$python" -c "import ensurepip, venv" 2>/dev/null; then
  missing+=("Python's venv module: on Debian 12, apt-get install python3.11-venv")
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=("Node.js 20.19 or later, with npm: Debian 12's own nodejs is 18, too old; install Node.js 20 from NodeSource (README, Prerequisites)")
elif ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)'; then
  missing+=("Node.js 20.19 or later (this is $(node --version)): install Node.js 20 from NodeSource (README, Prerequisites)")
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Ringlet needs, before anything is installed:" >&2
printf '  - %s\n' "${missing[@]}" >&2
exit 1
