#!/usr/bin/env bash
# Runs the suite against real PostgreSQL and Redis. Uses DATABASE_URL and REDIS_URL
# when set; otherwise the servers on localhost if they answer; otherwise says what it needs.
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
echo "Testing against DATABASE_URL=${DATABASE_URL%%\?*} REDIS_URL=$REDIS_URL CELERY_BROKER_URL=$CELERY_BROKER_URL"
exec .venv/bin/pytest "$@"
