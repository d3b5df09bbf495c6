#!/usr/bin/env bash
# Runs the suite against real PostgreSQL and Redis. Uses DATABASE_URL and REDIS_URL
# when set; otherwise the servers on localhost if they answer; otherwise says what it needs.
#
# Each run has a database and Redis keys of its own, so it can share both servers with a
# `make run` or another run: pytest-django creates (and drops) test_<name>_<run>, and every
# key the run writes (cache, broker queues, task results) starts with ringlet-test-<run>.
# Nothing else in either server is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python

# use_local VAR SERVICE PORT URL: set VAR to URL if it is unset and SERVICE answers on PORT.
use_local() {
  local var=$1 service=$2 port=$3 url=$4
  [ -n "${!var:-}" ] && return 0
  if "$py" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=1).close()" "$port" 2>/dev/null; then
    export "$var=$url"
  else
    echo "make test needs $service: set $var (for example $url)," >&2
    echo "or start $service on 127.0.0.1:$port." >&2
    exit 2
  fi
}

use_local DATABASE_URL PostgreSQL 5432 "postgres://postgres@127.0.0.1:5432/ringlet"
use_local REDIS_URL Redis 6379 "redis://127.0.0.1:6379/0"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-${REDIS_URL%/*}/1}"
export DJANGO_SETTINGS_MODULE=portal.settings.test

# This run's name: its database and key prefix (RINGLET_TEST_RUN reuses one, for debugging).
run="${RINGLET_TEST_RUN:-$(date +%Y%m%d%H%M%S)$(printf '%04x' $((RANDOM % 65536)))}"
database="${DATABASE_URL%%\?*}"
database="${database##*/}"
export TEST_DATABASE_NAME="${TEST_DATABASE_NAME:-test_${database:-ringlet}_${run}}"
export CACHE_KEY_PREFIX="ringlet-test-${run}"

# After the run, however it ended (Ctrl-C included): drop its database if pytest-django could
# not, and delete the keys it left (its own prefix only).
clean_up() {
  "$py" - <<'PY' || true
import os

import environ
import psycopg
import redis

db = environ.Env.db_url_config(os.environ["DATABASE_URL"])
name = os.environ["TEST_DATABASE_NAME"]
try:
    with psycopg.connect(
        dbname="postgres", user=db["USER"] or None, password=db["PASSWORD"] or None,
        host=db["HOST"] or None, port=db["PORT"] or None, autocommit=True, connect_timeout=5,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
except psycopg.Error as error:
    print(f"could not drop the test database {name}: {error}")
prefix = os.environ["CACHE_KEY_PREFIX"] + ":*"
for url in {os.environ["REDIS_URL"], os.environ["CELERY_BROKER_URL"]}:
    if url.startswith("redis"):
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        keys = list(client.scan_iter(match=prefix, count=1000))
        for start in range(0, len(keys), 1000):
            client.unlink(*keys[start : start + 1000])
PY
}
trap clean_up EXIT

echo "Testing against DATABASE_URL=${DATABASE_URL%%\?*} REDIS_URL=$REDIS_URL CELERY_BROKER_URL=$CELERY_BROKER_URL"
echo "This run's database: $TEST_DATABASE_NAME; its Redis keys: $CACHE_KEY_PREFIX:*"
.venv/bin/pytest "$@"
