"""Bar charts of the work report as PNG, drawn with Pillow (already there for fpdf2): no plotting
library to import on the first report, no network, the server's Chinese font."""

import io
import math
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from tongxin.members.cards import PdfFontMissing, cjk_font

COLOURS = [(181, 55, 46), (224, 163, 58), (74, 123, 183), (91, 154, 104)]
INK, GRID, MUTED = (40, 40, 40), (225, 225, 225), (110, 110, 110)
W, H = 1500, 600
LEFT, RIGHT, TOP, BOTTOM = 90, 30, 100, 90


@lru_cache(maxsize=8)
def _font(size: int) -> Any:

    try:
        path, face = cjk_font()
        return ImageFont.truetype(path, size, index=face)
    except (PdfFontMissing, OSError):
        return ImageFont.load_default(size)


def nice_ceiling(peak: float) -> tuple[float, float]:
    """(top of the axis, step between ticks): about five round steps above the peak."""
    if peak <= 0:
        return 1.0, 1.0
    raw = peak / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step: float = max(1.0, next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))
    return math.ceil(peak / step) * step, step


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _lines(draw: ImageDraw.ImageDraw, text: str, font: Any, width: float, most: int = 3) -> list[str]:
    """Break a label into lines that fit `width` (Chinese breaks between any two characters)."""
    lines, line = [], ""
    for char in text:
        if line and draw.textlength(line + char, font=font) > width:
            lines.append(line)
            line = ""
        line += char
    lines.append(line)
    if len(lines) > most:
        lines = [*lines[: most - 1], lines[most - 1][:-1] + "…"]
    return lines


def bar_chart_png(title: str, labels: list[str], series: list[tuple[str, list[float]]]) -> bytes:
    """The chart as PNG; without a title when the document captions it."""
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    title_font, label_font, small = _font(30), _font(20), _font(16)
    top_edge = TOP
    if title:
        draw.text((W / 2, 24), title, font=title_font, fill=INK, anchor="mt")
    else:
        top_edge = TOP - 40

    x0, x1, y0, y1 = LEFT, W - RIGHT, top_edge, H - BOTTOM
    top, step = nice_ceiling(max((v for _name, values in series for v in values), default=0))
    ticks = round(top / step)
    for n in range(ticks + 1):
        y = y1 - (y1 - y0) * n / ticks
        draw.line([(x0, y), (x1, y)], fill=GRID, width=1)
        draw.text((x0 - 10, y), _number(step * n), font=small, fill=MUTED, anchor="rm")
    draw.line([(x0, y1), (x1, y1)], fill=INK, width=2)

    if len(series) > 1:  # legend, right-aligned under the title
        x: float = x1
        for i, (name, _values) in reversed(list(enumerate(series))):
            x -= draw.textlength(name, font=label_font)
            draw.text((x, top_edge - 38), name, font=label_font, fill=INK, anchor="lm")
            x -= 30
            draw.rectangle([x, top_edge - 46, x + 20, top_edge - 30], fill=COLOURS[i % len(COLOURS)])
            x -= 24

    groups = max(1, len(labels))
    group = (x1 - x0) / groups
    bar = group * 0.8 / max(1, len(series))
    for g, label in enumerate(labels):
        left = x0 + group * g + group * 0.1
        for i, (_name, values) in enumerate(series):
            value = values[g] if g < len(values) else 0
            height = (y1 - y0) * value / top
            bx = left + bar * i
            if value:
                draw.rectangle([bx + 1, y1 - height, bx + bar - 1, y1 - 1], fill=COLOURS[i % len(COLOURS)])
                if bar >= draw.textlength(_number(value), font=small) * 0.8:
                    draw.text(
                        (bx + bar / 2, y1 - height - 4), _number(value), font=small, fill=INK, anchor="mb"
                    )
        for n, line in enumerate(_lines(draw, label, label_font, group - 4)):
            draw.text(
                (x0 + group * (g + 0.5), y1 + 10 + 24 * n), line, font=label_font, fill=INK, anchor="mt"
            )

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
