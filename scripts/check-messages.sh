#!/bin/sh
# Fail if a translatable string has no Chinese translation, or the compiled catalogue is stale.
set -eu
BIN=${BIN:-.venv/bin}
PO=tongxin/locale/zh_Hans/LC_MESSAGES/django.po
MO=tongxin/locale/zh_Hans/LC_MESSAGES/django.mo
TMP=$(mktemp -d)
trap 'cp "$TMP/orig.po" "$PO"; rm -rf "$TMP"' EXIT
cp "$PO" "$TMP/orig.po"
"$BIN/tongxin" makemessages -l zh_Hans --no-location --no-obsolete --ignore=var --ignore=scripts -v 0
cp "$PO" "$TMP/fresh.po"
cp "$TMP/orig.po" "$PO"
if ! msgcmp "$TMP/orig.po" "$TMP/fresh.po" 2>"$TMP/cmp.txt"; then
  echo "Untranslated or new strings (run 'make messages' and translate them):" >&2
  grep -E "msgid|this message" "$TMP/cmp.txt" | head -n 40 >&2
  exit 1
fi
stats=$(msgfmt -c --statistics -o "$TMP/check.mo" "$PO" 2>&1)
case "$stats" in *fuzzy*|*untranslated*) echo "zh_Hans catalogue: $stats" >&2; exit 1;; esac
if ! cmp -s "$TMP/check.mo" "$MO"; then
  echo "The compiled catalogue $MO is stale: run 'make messages'." >&2
  exit 1
fi
echo "zh_Hans catalogue: $stats"
