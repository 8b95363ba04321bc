#!/bin/sh
# Serve Tongxin with its background worker; Ctrl-C stops both.
set -eu
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
"$BIN/tongxin" collectstatic --noinput -v 0
"$BIN/tongxin" worker &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
"$BIN/tongxin" demo_logins
echo "Tongxin: http://127.0.0.1:$PORT/  (worker pid $WORKER; Ctrl-C to stop)"
"$BIN/gunicorn" tongxin.wsgi --bind "127.0.0.1:$PORT" --workers "${WEB_WORKERS:-3}" --access-logfile - --logger-class tongxin.lib.gunicorn_logger.RedactingLogger --log-level warning
