#!/usr/bin/env bash
# Runs the suite against real PostgreSQL and Redis. Uses DATABASE_URL and REDIS_URL
# when set; otherwise the servers on localhost if they answer; otherwise says what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python

answers() { # host port
  "$py" -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()" "$1" "$2" 2>/dev/null
}

if [ -z "${DATABASE_URL:-}" ]; then
  if answers 127.0.0.1 5432; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/ringlet"
  else
    echo "make test needs PostgreSQL: set DATABASE_URL (for example postgres://postgres@127.0.0.1:5432/ringlet)," >&2
    echo "or start a server on 127.0.0.1:5432 whose user 'postgres' may create databases." >&2
    exit 2
  fi
fi
if [ -z "${REDIS_URL:-}" ]; then
  if answers 127.0.0.1 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
  else
    echo "make test needs Redis: set REDIS_URL (for example redis://127.0.0.1:6379/0)," >&2
    echo "or start a server on 127.0.0.1:6379." >&2
    exit 2
  fi
fi
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-${REDIS_URL%/*}/1}"
export DJANGO_SETTINGS_MODULE=portal.settings.test
echo "Testing against DATABASE_URL=${DATABASE_URL%%\?*} REDIS_URL=$REDIS_URL CELERY_BROKER_URL=$CELERY_BROKER_URL"
exec .venv/bin/pytest "$@"
