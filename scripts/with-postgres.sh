#!/bin/sh
# Run a command against a throwaway PostgreSQL server started from the machine's binaries.
# PostgreSQL refuses to run as root, so as root the server runs as an unprivileged user.
# PG_REPLICA=1 also starts a streaming standby of it (pg_basebackup -R, hot_standby) on another port
# and exports TONGXIN_REPLICA_URL, so the read-replica router is tested against a real replica.
set -eu
PG_BIN=$(dirname "$(command -v pg_ctl 2>/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")
PORT=${PGTEST_PORT:-$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")}
DIR=$(mktemp -d /tmp/tongxin-pg.XXXXXX)
RUN=""
if [ "$(id -u)" = "0" ]; then
  id tongxinpg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin tongxinpg
  chown tongxinpg "$DIR"
  RUN="runuser -u tongxinpg --"
fi
$RUN "$PG_BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
$RUN "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
cleanup() {
  [ -d "$DIR/standby" ] && { $RUN "$PG_BIN/pg_ctl" -D "$DIR/standby" -m immediate stop >/dev/null 2>&1 || true; }
  $RUN "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/tongxin"
if [ "${PG_REPLICA:-}" = "1" ]; then
  # the primary runs with wal_level=replica (the default) and initdb's trust lines for replication
  RPORT=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")
  PG_REAL=$(dirname "$(readlink -f "$PG_BIN/pg_ctl")")  # pg_ctl may be a lone symlink on PATH
  $RUN "$PG_REAL/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U postgres -D "$DIR/standby" -R -X stream -c fast
  $RUN "$PG_BIN/pg_ctl" -D "$DIR/standby" -l "$DIR/standby.log" -w \
    -o "-p $RPORT -k $DIR -c listen_addresses=127.0.0.1 -c hot_standby=on -c hot_standby_feedback=on -c fsync=off -c max_connections=200" start >/dev/null
  export TONGXIN_REPLICA_URL="postgres://postgres@127.0.0.1:$RPORT/tongxin"
  echo "PostgreSQL standby on port $RPORT (TONGXIN_REPLICA_URL)"
fi
export TONGXIN_DATA_DIR="$DIR/app"
mkdir -p "$TONGXIN_DATA_DIR"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PORT"
"$@"
