#!/bin/sh
# Serve Tongxin with its background worker; a worker that dies is started again (supervise.sh),
# and /healthz answers 503 while its heartbeat is stale. Ctrl-C stops both.
set -eu
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
"$BIN/tongxin" collectstatic --noinput -v 0
sh "$(dirname "$0")/supervise.sh" "$BIN/tongxin" worker &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
"$BIN/tongxin" demo_logins
echo "Tongxin: http://127.0.0.1:$PORT/  (worker supervisor pid $WORKER; Ctrl-C to stop)"
"$BIN/gunicorn" tongxin.wsgi --bind "127.0.0.1:$PORT" --workers "${WEB_WORKERS:-3}" --access-logfile - --log-level warning
