#!/usr/bin/env bash
# Makes .venv-ralph: Ralph, the xAPI Learning Record Store the tests start (tests/xapi/conftest.py),
# in a venv of its own (requirements/ralph.txt). A tool of the test suite, not of the portal.
# Idempotent: reinstalls only when requirements/ralph.txt changes.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-ralph
python=${PYTHON:-python3.11}
stamp="$venv/.installed"
if [ -f "$stamp" ] && [ "$stamp" -nt requirements/ralph.txt ]; then
  exit 0
fi
test -x "$venv/bin/python" || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r requirements/ralph.txt
touch "$stamp"
