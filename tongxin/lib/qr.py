"""QR codes as inline SVG, made on the server (segno, pure Python): nothing loads from elsewhere."""

import segno


def qr_svg(text: str, *, title: str = "") -> str:
    """An <svg> of `text` that scales with its box (no fixed size), dark on white, with a quiet zone.
    segno escapes the title; the rest is its own markup, safe to put in a page as is."""
    code = segno.make(text, error="m", micro=False)
    return str(
        code.svg_inline(
            scale=1, border=2, dark="#111", light="#fff", omitsize=True, svgclass="qr", title=title or None
        )
    )
