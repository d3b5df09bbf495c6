#!/usr/bin/env bash
# Installs the Debian packages Ringlet needs when they are missing: `run` (make run) needs
# ffmpeg for the demo media; `test` (the default, make test) also needs chromium, Java
# (the Nu HTML checker), promtool (Debian's prometheus package: tests/deploy checks and
# unit-tests the alert rules with it), pgbouncer (tests/portal/test_pooling.py puts one in
# front of the test database) and nginx-light with libnginx-mod-http-cache-purge (the edge
# tier, deploy/edge/, in tests/edge/ and `make bench`). As root with apt-get it installs
# them; elsewhere it stops, naming them.
# Any further argument is an extra command to install (`make bench` asks for wrk).
set -euo pipefail
mode=test
case "${1:-}" in run|test) mode=$1; shift ;; esac
missing=()
for extra in "$@"; do command -v "$extra" >/dev/null || missing+=("$extra"); done
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v ffprobe >/dev/null || missing+=(ffmpeg)
if [ "$mode" = test ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v java >/dev/null || missing+=(default-jre-headless)
  command -v promtool >/dev/null || missing+=(prometheus)
  [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
  # The edge tier's tests and `make bench` start nginx with its cache-purge module.
  [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  [ -e /usr/lib/nginx/modules/ngx_http_cache_purge_module.so ] || missing+=(libnginx-mod-http-cache-purge)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: $pkgs"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
elif [ "$mode" = run ]; then
  echo "make run needs the system package ${pkgs% } (for example: sudo apt-get install -y ${pkgs% })" >&2
  exit 1
else
  echo "The test suite needs these system packages: $pkgs" >&2
  echo "Install them first, for example: sudo apt-get install -y $pkgs" >&2
  exit 1
fi
