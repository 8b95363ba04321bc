"""The indicator ledger (台账) sent upward: one row per child of a node, Chinese headers, and the
node's own figures as the last row. Nobody retypes a figure into a spreadsheet."""

from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tongxin.statistics import selectors
from tongxin.statistics.periods import Period


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "ratio":
        return float(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def workbook(user: Any, node: Any, period: Period) -> bytes:
    indicators = [i for i in selectors.visible(user, node) if not i.group_by]
    codes = [i.code for i in indicators]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Ledger")[:31]
    sheet.append([_("%(node)s — figures for %(period)s") % {"node": node.name, "period": period.label()}])
    sheet["A1"].font = Font(bold=True, size=13)
    header = [_("Area"), _("Code")] + [f"{i.name}（{i.unit}）" for i in indicators]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for child, values in selectors.children_values(user, node, period, codes):
        sheet.append([child.name, child.code] + [_cell(values.get(i.code), i.kind) for i in indicators])
    own = selectors.compute(node, period, indicators)
    sheet.append(
        [_("%(node)s (whole area)") % {"node": node.name}, node.code]
        + [_cell(selectors.total(own.get(i.code)), i.kind) for i in indicators]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column, indicator in enumerate(indicators, start=3):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 14
        number_format = (
            "0.0%"
            if indicator.kind == "ratio"
            else ("#,##0.0" if indicator.kind in {"sum", "median"} else "#,##0")
        )
        for row in range(3, sheet.max_row + 1):
            sheet[f"{letter}{row}"].number_format = number_format
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 16
    sheet.freeze_panes = "C3"
    notes = book.create_sheet(_("Definitions")[:31])
    notes.append([_("Figure"), _("Unit"), _("Definition"), _("Code")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for i in indicators:
        notes.append([str(i.name), str(i.unit), str(i.definition), i.code])
    notes.append([])
    notes.append(
        [
            _(
                "The last row of the first sheet is the whole area's figure, counted once; a rate is never "
                "the sum of its parts, and cases located at the area itself belong to no child."
            )
        ]
    )
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["C"].width = 90
    out = BytesIO()
    book.save(out)
    return out.getvalue()
