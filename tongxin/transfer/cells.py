"""Turning spreadsheet cells into values. Each parser returns the value or raises CellError."""

import json
import math
import re
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from tongxin.lib.masking import mask_id_card, mask_phone
from tongxin.transfer import layouts
from tongxin.transfer.layouts import Column

MASK_CHARS = ("*", "＊")
# digits Excel keeps in a number; a longer code typed into a General cell has lost digits
EXCEL_PRECISION = 15

_DATE_TEXT = [
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
]


class CellError(ValueError):
    pass


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_masked(text: str) -> bool:
    return any(ch in text for ch in MASK_CHARS)


def as_text(value: Any) -> str:
    """A cell as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value).strip()


def parse_code(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(_("A code cannot have a decimal point."))
        if len(str(int(abs(value)))) > EXCEL_PRECISION:
            raise CellError(
                _("Excel stored this code as a number and lost its last digits. Format the column as text.")
            )
        return str(int(value))
    text = as_text(value).replace(" ", "")
    if len(text) > 32:
        raise CellError(_("The code is too long."))
    return text


def parse_region_code(value: Any) -> str:
    text = parse_code(value)
    if not re.fullmatch(r"\d+", text):
        raise CellError(_("A region code has digits only."))
    return text


def parse_text(value: Any, *, max_length: int = 200) -> str:
    text = as_text(value)
    if len(text) > max_length:
        raise CellError(_("The text is longer than %(n)d characters.") % {"n": max_length})
    return text


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if number == value and 19000101 <= number <= 29991231:
            return _ymd(str(number)[:4], str(number)[4:6], str(number)[6:])
        if number == value and 1 <= number < 2958466:
            from openpyxl.utils.datetime import from_excel

            return from_excel(number).date()
        raise CellError(_("Not a date. Write it as 2024-03-01."))
    text = as_text(value)
    for pattern in _DATE_TEXT:
        match = pattern.fullmatch(text)
        if match:
            return _ymd(*match.groups())
    raise CellError(_("Not a date. Write it as 2024-03-01, 2024/3/1 or 2024年3月1日."))


def _ymd(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(_("There is no such day."))


def parse_number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(as_text(value))
        except ValueError:
            raise CellError(_("Not a number."))
    if not math.isfinite(number):
        raise CellError(_("Not a number."))
    return number


def parse_geojson(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    text = as_text(value)
    try:
        data = json.loads(text)
    except ValueError:
        raise CellError(_("The boundary is not GeoJSON text."))
    if not isinstance(data, dict):
        raise CellError(_("The boundary is not GeoJSON text."))
    return data


def parse_choice(value: Any, column: Column) -> str:
    assert column.choices is not None
    found = column.choices.lookup().get(layouts.normalise(as_text(value)))
    if found is None:
        raise CellError(
            _("Unknown value. Use one of: %(choices)s.")
            % {"choices": "、".join(label for label in column.choices.labels.values())}
        )
    return found


def parse_id_card(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _("Excel stored the ID number as a number and lost digits. Format the column as text.")
        )
    return as_text(value).replace(" ", "").upper()


def parse_phone(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_code(value)
    return as_text(value).replace(" ", "")


def parse(value: Any, column: Column) -> Any:
    """The parsed value of a non-blank cell."""
    kind = column.type
    if kind == layouts.CODE:
        return parse_code(value)
    if kind == layouts.REGION_CODE:
        return parse_region_code(value)
    if kind == layouts.DATE:
        return parse_date(value)
    if kind == layouts.NUMBER:
        return parse_number(value)
    if kind == layouts.CHOICE:
        return parse_choice(value, column)
    if kind == layouts.GEOJSON:
        return parse_geojson(value)
    if kind == layouts.ID_CARD:
        return parse_id_card(value)
    if kind == layouts.PHONE:
        return parse_phone(value)
    return parse_text(value, max_length=column.max_length)


def shown(value: Any, column: Column | None, *, limit: int = 80) -> str:
    """A cell as the report shows it: personal numbers masked, long text cut."""
    text = as_text(value)
    if column is not None and text and not is_masked(text):
        if column.type == layouts.ID_CARD:
            text = mask_id_card(text)
        elif column.type == layouts.PHONE:
            text = mask_phone(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
