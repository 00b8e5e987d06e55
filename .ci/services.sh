#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1, starting the locally
# installed servers when they don't (see .library machine notes / README).
# Fails loudly — the tests never skip for a missing service (CONTRACT.md).
set -euo pipefail

PG_HOST=127.0.0.1
REDIS_HOST=127.0.0.1
WAIT_SECONDS=${SERVICES_WAIT_SECONDS:-30}

fail() {
  echo "services: $*" >&2
  exit 1
}

pg_up() { pg_isready -q -h "$PG_HOST" >/dev/null 2>&1; }
redis_up() { [ "$(redis-cli -h "$REDIS_HOST" ping 2>/dev/null)" = "PONG" ]; }

wait_for() {  # wait_for NAME CHECK
  local name=$1 check=$2 waited=0
  until "$check"; do
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "services: $name is up."
}

command -v pg_isready >/dev/null || fail "pg_isready not found: install PostgreSQL (Debian: postgresql) or set up TEST_DATABASE_URL's server yourself."
command -v redis-cli >/dev/null || fail "redis-cli not found: install Redis (Debian: redis-server) or set up TEST_REDIS_URL's server yourself."

if ! pg_up; then
  echo "services: PostgreSQL does not answer on $PG_HOST; starting the local cluster."
  [ -d /etc/postgresql ] || fail "no local PostgreSQL cluster under /etc/postgresql to start."
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start \
    || echo "services: pg_ctlcluster $version main start failed (see above)." >&2
  wait_for PostgreSQL pg_up \
    || fail "PostgreSQL is still not reachable on $PG_HOST:5432 after ${WAIT_SECONDS}s. Start it (pg_ctlcluster --skip-systemctl-redirect $version main start) and re-run."
fi

if ! redis_up; then
  echo "services: Redis does not answer on $REDIS_HOST; starting redis-server."
  command -v redis-server >/dev/null || fail "redis-server not found: install Redis (Debian: redis-server)."
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    || echo "services: redis-server failed to start (see above)." >&2
  wait_for Redis redis_up \
    || fail "Redis is still not reachable on $REDIS_HOST:6379 after ${WAIT_SECONDS}s. Start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379) and re-run."
fi

echo "services: PostgreSQL and Redis are reachable."
