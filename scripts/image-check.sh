#!/usr/bin/env bash
# `make image-check`: build the Dockerfile without a daemon (buildah) and run the image.
# No container registry is reachable here, so the base image python:3.11-slim-bookworm
# is replaced by a Debian bookworm root bootstrapped locally (debootstrap, from Debian's
# package mirror), and pip installs from a wheelhouse downloaded beforehand from PyPI and
# served on 127.0.0.1. Everything it makes lives under var/image-check/ and buildah's store.
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=var/image-check
BASE=localhost/ringlet-base:bookworm-python3.11
IMAGE=localhost/ringlet:image-check
PY=.venv/bin/python
say() { printf '\n== %s\n' "$*"; }

# --- tools (Debian packages) ----------------------------------------------------------
missing=()
for tool in buildah debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null
fi
# This machine is a VM with hybrid (v1 + v2) cgroups, which the OCI runtimes refuse
# ("cgroups in hybrid mode not supported"), and it forbids setting RLIMIT_NPROC inside
# one: RUN steps and the test run use chroot isolation, which needs neither.
export BUILDAH_ISOLATION=chroot
mkdir -p "$WORK"
started=$(date +%s)
ctr=""

# --- the base image: Debian bookworm with Python 3.11 -----------------------------------
if ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  if [ ! -f "$WORK/rootfs.tar" ]; then
    say "bootstrapping a Debian bookworm root"
    rm -rf "$WORK/rootfs"
    # python-is-python3 gives `python`, as the official image does; the rest is what
    # the official image has that the Dockerfile uses (venv, pip, CA certificates).
    debootstrap --variant=minbase \
      --include=python3,python3-venv,python3-pip,python-is-python3,ca-certificates \
      bookworm "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log"
    rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/*
    tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
    rm -rf "$WORK/rootfs"
  fi
  say "importing it as $BASE"
  ctr=$(buildah from scratch)
  buildah add --quiet "$ctr" "$WORK/rootfs.tar" / >/dev/null
  # As in Debian's official images: apt keeps no downloaded packages or caches, so
  # the Dockerfile's `rm -rf /var/lib/apt/lists/*` leaves nothing behind.
  cat >"$WORK/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  buildah copy --quiet "$ctr" "$WORK/docker-clean" /etc/apt/apt.conf.d/docker-clean >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd python3 "$ctr"
  buildah commit --quiet --rm "$ctr" "$BASE" >/dev/null
fi

# --- the wheelhouse, downloaded beforehand ---------------------------------------------
say "wheelhouse for requirements/prod.txt"
# Wheels for everything (packages published only as sources are built here once), then
# a pass with the base image's own Python, whose markers differ (Debian's 3.11.2 needs
# async-timeout for redis, 3.11.7 does not). It reaches PyPI through this machine's CA.
.venv/bin/pip wheel --quiet --disable-pip-version-check --wheel-dir "$WORK/wheelhouse" -r requirements/prod.txt 2>&1 \
  | grep -v "is ignored: it is neither" || true
ctr=$(buildah from --pull=never "$BASE")
buildah run --network host \
  -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
  -v "$PWD/$WORK/wheelhouse:/wheelhouse" -v "$PWD/requirements:/requirements:ro" "$ctr" -- \
  python -m pip download --quiet --disable-pip-version-check --dest /wheelhouse --find-links /wheelhouse \
  -r /requirements/prod.txt
buildah rm "$ctr" >/dev/null
ctr=""
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$PY -m http.server --bind 127.0.0.1 --directory "$WORK/wheelhouse" "$port" >"$WORK/wheelhouse-server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  [ -z "$ctr" ] || buildah rm "$ctr" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# --- build ---------------------------------------------------------------------------
say "building $IMAGE with buildah"
build_start=$(date +%s)
buildah bud --layers --pull=never --network host \
  --build-arg PYTHON_IMAGE="$BASE" \
  --build-arg PIP_FIND_LINKS="http://127.0.0.1:$port/" \
  --build-arg PIP_NO_INDEX=1 \
  --volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/host-ca.crt:ro \
  --build-arg NPM_CONFIG_CAFILE=/etc/ssl/certs/host-ca.crt \
  --tag "$IMAGE" --file Dockerfile . >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log"; echo "image-check: the build failed (full log: $WORK/build.log)"; exit 1; }
build_seconds=$(( $(date +%s) - build_start ))
size=$(buildah images --format '{{.Size}}' "$IMAGE")
base_size=$(buildah images --format '{{.Size}}' "$BASE")
digest=$(buildah images --digests --format '{{.Digest}}' "$IMAGE")

# --- run it: the image's own user, command and working directory ------------------------
# Chroot isolation shares the host's network and PID namespace and cannot make the root
# read-only; what it does check is that the image's user cannot write to /app.
say "running $IMAGE"
ctr=$(buildah from --pull=never "$IMAGE")
web_port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
in_image() { buildah run "$ctr" -- "$@"; }
fail() { echo "image-check FAILED: $*"; tail -30 "$WORK/web.log" 2>/dev/null; exit 1; }

uid=$(in_image id -u)
[ "$uid" != 0 ] || fail "the image runs as root"
echo "runs as uid $uid (user $(in_image id -un))"
in_image sh -c 'touch /app/written 2>/dev/null' 2>/dev/null && fail "the image's user can write to /app"
echo "the image's user cannot write to /app"
version=$(in_image ffmpeg -hide_banner -version | head -1)
case "$version" in "ffmpeg version"*) echo "$version" ;; *) fail "no ffmpeg" ;; esac
# manage.py backup_db and restore_db need PostgreSQL 15's own client tools.
for tool in pg_dump pg_restore; do
  version=$(in_image "$tool" --version)
  case "$version" in *"(PostgreSQL) 15."*) echo "$version" ;; *) fail "no $tool 15: $version" ;; esac
done

cmd=$(buildah inspect --type image --format '{{.OCIv1.Config.Cmd}}' "$IMAGE")
[ "$cmd" = '[gunicorn --config gunicorn.conf.py]' ] || fail "unexpected CMD $cmd"
buildah run \
  -e SECRET_KEY=image-check-only-not-a-secret-0123456789abcdefghijklmnop \
  -e ALLOWED_HOSTS=localhost -e DATABASE_URL=sqlite:////tmp/image-check.sqlite3 \
  -e GUNICORN_BIND="127.0.0.1:$web_port" -e WEB_CONCURRENCY=1 \
  -e GUNICORN_CMD_ARGS="--pid /tmp/gunicorn.pid" \
  "$ctr" -- gunicorn --config gunicorn.conf.py >"$WORK/web.log" 2>&1 &
runner=$!
body=""
for _ in $(seq 90); do
  body=$(curl -fsS -H 'Host: 10.0.0.1:8000' "http://127.0.0.1:$web_port/health/" 2>/dev/null) && break
  kill -0 "$runner" 2>/dev/null || fail "gunicorn exited"
  sleep 1
done
[ "$body" = '{"status": "ok"}' ] || fail "/health/ did not answer {\"status\": \"ok\"} (got: $body)"
echo "/health/ answered $body (Host: a pod IP, plain HTTP)"
css=$(in_image sh -c 'ls /app/static/css/*.css | head -1')
code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Host: localhost' -H 'X-Forwarded-Proto: https' \
  "http://127.0.0.1:$web_port/static/css/$(basename "$css")")
[ "$code" = 200 ] || fail "the collected static file $css answered $code"
echo "static files collected at build time are served (/static/css/$(basename "$css"))"
hls=$(in_image sh -c 'ls /app/static/vendor/hls.js/hls.min.*.js | head -1')
[ -n "$hls" ] || fail "hls.js (from npm ci in the builder) is not among the collected static files"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Host: localhost' -H 'X-Forwarded-Proto: https' \
  "http://127.0.0.1:$web_port/static/vendor/hls.js/$(basename "$hls")")
[ "$code" = 200 ] || fail "the player's hls.js ($hls) answered $code"
echo "the player's hls.js is served (/static/vendor/hls.js/$(basename "$hls"))"
pdfjs=$(in_image sh -c 'ls /app/static/vendor/pdfjs/build/pdf.worker.min.*.mjs | head -1')
[ -n "$pdfjs" ] || fail "pdf.js's worker (from npm ci in the builder) is not among the collected static files"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Host: localhost' -H 'X-Forwarded-Proto: https' \
  "http://127.0.0.1:$web_port/static/vendor/pdfjs/build/$(basename "$pdfjs")")
[ "$code" = 200 ] || fail "pdf.js's worker ($pdfjs) answered $code"
echo "the PDF viewer's pdf.js is served (/static/vendor/pdfjs/build/$(basename "$pdfjs"))"
# The worker's PDF thumbnails: PDFium comes inside the pypdfium2 wheel, no system package.
in_image python -c 'import pypdfium2 as p; p.PdfDocument.new().close()' || fail "pypdfium2 cannot load PDFium"
echo "pypdfium2 loads its PDFium"

# Chroot isolation has no PID namespace: gunicorn's pid is a host pid, read from its pidfile.
pid=$(cat "$(buildah mount "$ctr")/tmp/gunicorn.pid")
stop_start=$(date +%s)
kill -TERM "$pid"
wait "$runner" && code=0 || code=$?
buildah umount "$ctr" >/dev/null
[ "$code" = 0 ] || fail "gunicorn exited $code on SIGTERM"
echo "SIGTERM: gunicorn stopped cleanly in $(( $(date +%s) - stop_start ))s"

say "image-check passed"
printf 'image %s (digest %s)\nsize %s; bootstrapped base %s\nbuild %ss, whole check %ss\n' \
  "$IMAGE" "$digest" "$size" "$base_size" \
  "$build_seconds" $(( $(date +%s) - started ))
