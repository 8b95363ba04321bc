"""Workbooks built in memory for the transfer tests."""

import io
import json
from typing import Any

from openpyxl import Workbook, load_workbook


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A workbook built in memory: {sheet title: rows}."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes) -> dict[str, list[list[Any]]]:
    workbook = load_workbook(io.BytesIO(content))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def rect(x0: float, y0: float, x1: float, y1: float) -> str:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


def id_number(seq: int, birth: str = "19900101") -> str:
    """A valid 18-character ID number (GB 11643 check digit)."""
    from tongxin.lib.validators import id_card_check_digit

    first17 = f"320508{birth}{seq:03d}"
    return first17 + id_card_check_digit(first17)
