#!/bin/sh
# pip-audit (`make lint`): the installed packages against the OSV advisory database (osv.dev; the
# package index's own service is not asked, so one run is not a bulk look-up of every installed
# name in the registry). It needs the network: offline (no route, no name resolution, a dead proxy) it
# prints a notice and passes, so `make lint` still runs on an air-gapped machine; any finding
# fails, unless scripts/pip-audit-ignore.txt lists its id with the reason.
set -u
BIN=${BIN:-.venv/bin}
if [ "${PIP_AUDIT:-on}" = "off" ]; then
  echo "pip-audit: skipped (PIP_AUDIT=off)"
  exit 0
fi
ignores=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/^[[:space:]]*/--ignore-vuln /' "$(dirname "$0")/pip-audit-ignore.txt")
log=$(mktemp)
# shellcheck disable=SC2086
"$BIN/pip-audit" --vulnerability-service osv --local --skip-editable --progress-spinner off $ignores 2>"$log"
status=$?
if [ $status -ne 0 ] && grep -Eqi "connection|resolution|timed out|max retries|proxy|unreachable" "$log"; then
  echo "pip-audit: skipped, the advisory database cannot be reached (offline): run it again when online"
  rm -f "$log"
  exit 0
fi
cat "$log" >&2
rm -f "$log"
exit $status
