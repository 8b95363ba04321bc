#!/bin/sh
# supervise.sh CMD [ARG...]: run CMD, and run it again whenever it exits (a crash, an OOM kill),
# until this script is stopped with TERM or INT, which stops CMD too. serve.sh runs the worker so.
set -u
DELAY=${SUPERVISE_DELAY:-2}
stop() {
  # $! is the running CMD's pid from the moment it was started (no window before an assignment)
  if [ -n "${!:-}" ]; then
    kill "$!" 2>/dev/null
    wait "$!" 2>/dev/null
  fi
  exit 0
}
trap stop TERM INT
while :; do
  "$@" &
  status=0
  wait "$!" || status=$?
  echo "supervise: $1 exited with status $status; starting it again in ${DELAY}s" >&2
  sleep "$DELAY"
done
