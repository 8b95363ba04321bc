#!/bin/sh
# `make bench`: city-scale figures on a database of their own, written to BENCHMARKS.md.
# SQLite by default (in var/bench, recreated each run); with DATABASE_URL set, that PostgreSQL
# database, which must be empty: sh scripts/with-postgres.sh sh scripts/bench.sh
set -eu
BIN=${BIN:-.venv/bin}
if [ -z "${DATABASE_URL:-}" ]; then
  TONGXIN_DATA_DIR=${TONGXIN_BENCH_DIR:-$(pwd)/var/bench}
  export TONGXIN_DATA_DIR
  mkdir -p "$TONGXIN_DATA_DIR"
  rm -f "$TONGXIN_DATA_DIR/tongxin.sqlite3" "$TONGXIN_DATA_DIR/tongxin.sqlite3-wal" "$TONGXIN_DATA_DIR/tongxin.sqlite3-shm"
else
  # a throwaway server (scripts/with-postgres.sh) has no database yet: create the one named in the URL
  "$BIN/python" - <<'PY'
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
PY
fi
"$BIN/tongxin" migrate --noinput -v 0
"$BIN/tongxin" bench --output BENCHMARKS.md --command-line "make bench${DATABASE_URL:+ (PostgreSQL: sh scripts/with-postgres.sh sh scripts/bench.sh)}" "$@"
# cases at scale: the COPY generator (demo/cases/scale.py) grows the cases to BENCH_SCALE_CASES
# (default 1,000,000; the 20 M run: BENCH_SCALE_CASES=20000000 BENCH_WORKERS=2 make bench on
# PostgreSQL), then the street's and community's lists, three rates, overview and report are timed
"$BIN/tongxin" bench_scale --cases "${BENCH_SCALE_CASES:-1000000}" --repeat "${BENCH_REPEAT:-20}" --workers "${BENCH_WORKERS:-1}"
# the case benchmark on those cases: intake through the API, the lists with every filter, the rates
"$BIN/tongxin" bench_cases --cases "${BENCH_SCALE_CASES:-1000000}" --intake "${BENCH_INTAKE:-2000}" --repeat "${BENCH_REPEAT:-20}"
# word search on those cases: the bigram index against the old substring scan, street and community
"$BIN/tongxin" bench_words --repeat "${BENCH_REPEAT:-20}"
# the figures (overview, values API, county overview, annual report) on the same city, with cases
"$BIN/tongxin" bench_statistics --cases "${BENCH_CASES:-100000}" --repeat "${BENCH_REPEAT:-10}"
# grid work: the log at 5,000,000 entries (a grid worker's "my grid", a street's monthly figures)
"$BIN/tongxin" bench_gridwork --entries "${BENCH_LOG_ENTRIES:-5000000}" --repeat "${BENCH_REPEAT:-30}" --output BENCHMARKS.md --command-line "make bench"
# households: a million over every grid (a grid worker's and a street official's household pages)
"$BIN/tongxin" bench_households --households "${BENCH_HOUSEHOLDS:-1000000}" --repeat "${BENCH_REPEAT:-30}" --output BENCHMARKS.md --command-line "make bench"
# intake through the real server (PostgreSQL only): scripts/serve.sh (gunicorn and the worker) loaded by
# locust, the bare endpoint then POST /api/v1/cases/public, side by side
if [ -n "${DATABASE_URL:-}" ]; then
  "$BIN/tongxin" bench_intake --seconds "${BENCH_INTAKE_SECONDS:-20}" --rounds 2 --output BENCHMARKS.md --command-line "make bench (PostgreSQL)"
fi
# the per-request costs (web CPU, PostgreSQL CPU, WAL bytes) and the simulated province of
# docs/scaling.md (PostgreSQL only: the WAL and the server's CPU are PostgreSQL's)
if [ -n "${DATABASE_URL:-}" ]; then
  "$BIN/tongxin" bench_province --output BENCHMARKS.md --command-line "make bench (PostgreSQL)"
fi
# partitioning and archiving (PostgreSQL only): monthly range-partitioned copies of cases and
# transitions built in SQL beside the tables (schema bench_parts, dropped after), read and archived
if [ -n "${DATABASE_URL:-}" ]; then
  "$BIN/tongxin" bench_partitions --cases "${BENCH_PARTITION_CASES:-1000000}" --repeat "${BENCH_REPEAT:-20}"
fi
# the worker (PostgreSQL only, and last: it opens BENCH_BACKLOG cases and moves their deadlines):
# two `tongxin worker` processes sweep them while new cases arrive at BENCH_WORKER_SPEED times the
# load of 59,000 a day; one is killed with kill -9 mid-task and the effects are counted
if [ -n "${DATABASE_URL:-}" ]; then
  "$BIN/tongxin" bench_worker --backlog "${BENCH_BACKLOG:-500000}" --speed "${BENCH_WORKER_SPEED:-10}" --output BENCHMARKS.md --command-line "make bench (PostgreSQL)"
fi
