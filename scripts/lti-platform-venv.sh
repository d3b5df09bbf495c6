#!/usr/bin/env bash
# The LTI platform the tests launch Ringlet from: Open edX's lti-consumer-xblock, in a venv of
# its own under var/ (it is a test tool, never one of Ringlet's requirements). Idempotent: a
# venv whose marker names the same pins is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
VENV=${LTI_PLATFORM_VENV:-var/lti-platform-venv}
PINS=(lti-consumer-xblock==11.4.4 "Django==5.2.*" cryptography)
marker="$VENV/.installed"
if [ -f "$marker" ] && [ "$(cat "$marker")" = "${PINS[*]}" ]; then
  exit 0
fi
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "${PINS[@]}"
echo "${PINS[*]}" > "$marker"
