"""A file's type read from its own first bytes, never from its name or the browser's word."""

from collections.abc import Collection
from typing import Any

PDF, JPEG, PNG, WEBP = "application/pdf", "image/jpeg", "image/png", "image/webp"
IMAGES = (JPEG, PNG, WEBP)  # what a phone camera produces and a browser can show
_SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))


def sniff(upload: Any, allowed: Collection[str]) -> str | None:
    """The upload's type if it is one of `allowed`, else None; the file is left at its start."""
    head = upload.read(16)
    upload.seek(0)
    found = next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)
    if found is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        found = WEBP
    return found if found in allowed else None


# the start of a web page or a script: never a photo or a document, whatever the browser claims
_MARKUP = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<iframe",
    b"<a ",
    b"<img",
)


def is_markup(upload: Any) -> bool:
    """Whether the upload starts (after blanks and a byte-order mark) like HTML, SVG or XML."""
    head = upload.read(512)
    upload.seek(0)
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return text.startswith(_MARKUP)
