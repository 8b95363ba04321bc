"""A list as an Excel workbook: one header row, one row per item, a 合计 row where columns sum.

The rows come from the same scoped, filtered queryset as the list page and its count, so an export
never holds a row the page would not show. The download of a list page, audited, is
audit.exports.xlsx_response.
"""

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tongxin.lib.validators import has_control_characters, strip_control_characters

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# a list longer than this is refused: narrow the period (Excel itself stops at 1,048,576 rows)
MAX_ROWS = 100_000
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F3E3E3")


@dataclass(frozen=True)
class Column:
    header: Any  # a (lazy) translatable string
    value: Callable[[Any], Any]
    width: int = 14
    total: bool = False  # summed in the 合计 row
    number_format: str = ""  # an Excel format for the column's numbers, e.g. "0.00" (万元), "0.0%"


def field(model: type[Model], name: str, *, width: int = 14, total: bool = False) -> Column:
    """A column headed by the field's verbose name; a field with choices shows its label."""
    model_field = model._meta.get_field(name)
    header = capfirst(getattr(model_field, "verbose_name", name))  # lazy: columns may be built at import
    if getattr(model_field, "choices", None):
        value: Callable[[Any], Any] = lambda obj: getattr(obj, f"get_{name}_display")()  # noqa: E731
    else:
        value = attrgetter(name)
    return Column(header, value, width=width, total=total)


def related_name(path: str) -> Callable[[Any], Any]:
    """The value at a dotted path, '' where a link on the way is empty (e.g. 'alliance.name')."""
    getter = attrgetter(path)

    def value(obj: Any) -> Any:
        try:
            return getter(obj)
        except AttributeError:
            return ""

    return value


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return xlsx_text(str(value))


def xlsx_text(text: str) -> str:
    """Text as a cell can hold it: control characters (refused on input today, perhaps stored
    before) would make openpyxl refuse the whole workbook, so they are dropped."""
    return strip_control_characters(text) if has_control_characters(text) else text


def workbook_bytes(rows: Iterable[Any], columns: list[Column], *, title: str) -> tuple[bytes, int]:
    """The workbook and its number of data rows (the 合计 row not counted)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([str(c.header) for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sums: list[Decimal] = [Decimal(0)] * len(columns)
    count = 0
    for row in rows:
        values = [column.value(row) for column in columns]
        for index, column in enumerate(columns):
            if column.total and values[index] is not None:
                sums[index] += Decimal(str(values[index]))
        sheet.append([_cell(v) for v in values])
        count += 1
        for column, cell in zip(columns, sheet[count + 1], strict=False):
            if cell.data_type == "f":  # text such as "=1+1" stays text, never a formula
                cell.data_type = "s"
            elif column.number_format and isinstance(cell.value, int | float):
                cell.number_format = column.number_format
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    if count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    if any(c.total for c in columns):
        totals: list[Any] = [float(s) if c.total else None for c, s in zip(columns, sums, strict=True)]
        if not columns[0].total:
            totals[0] = _("Total")
        sheet.append(totals)
        for column, cell in zip(columns, sheet[count + 2], strict=False):
            cell.font = _HEADER_FONT
            if column.number_format and isinstance(cell.value, int | float):
                cell.number_format = column.number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count
