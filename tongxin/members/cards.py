"""Service record cards as Excel and as printable PDF, for the employer's Party organisation.

The PDF embeds a subset of a CJK font found on the server (Noto Sans CJK SC from fonts-noto-cjk
by default; TONGXIN_PDF_FONT names another .ttf/.otf/.ttc), so it prints the same everywhere.
"""

import io
import os
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tongxin.core.xlsx import xlsx_text
from tongxin.members.models import ServiceSource
from tongxin.members.selectors import Card

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
]


class PdfFontMissing(RuntimeError):
    """No font with Chinese glyphs was found: install fonts-noto-cjk or set TONGXIN_PDF_FONT."""


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, int]:
    """(path, face number) of a font with simplified Chinese; the SC face of a collection."""
    candidates = [os.environ.get("TONGXIN_PDF_FONT", ""), *FONT_CANDIDATES]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate, _sc_face(candidate)
    raise PdfFontMissing(_("No Chinese font was found on the server to print with."))


def _sc_face(path: str) -> int:
    if not path.lower().endswith(".ttc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    try:
        names = [str(font["name"].getDebugName(1) or "") for font in collection.fonts]
    finally:
        collection.close()
    for preferred in (" SC", "SC", "GB", "Hei"):
        for index, name in enumerate(names):
            if preferred in name and "Mono" not in name:
                return index
    return 0


def _source_label(source: str) -> str:
    labels = {
        ServiceSource.ACTIVITY.value: _("Activity"),
        ServiceSource.CASE.value: _("Order solved"),
        ServiceSource.PROJECT.value: _("Project"),
    }
    return labels.get(source, source)


def _num(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


# ---- Excel ------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F3E3E3")


def _sheet(
    workbook: Workbook, title: str, header: list[str], rows: Iterable[list[object]], widths: list[int]
) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        sheet.append([xlsx_text(v) if isinstance(v, str) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # a name such as "=1+1" stays text, never a formula
                cell.data_type = "s"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def cards_workbook(cards: list[Card], *, label: str) -> bytes:
    """Sheet 1: one row per member; sheet 2: every service of the period."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    annual = bool(cards) and cards[0].annual
    # points and stars only where the rules in force turn rankings on (a blank cell elsewhere)
    points = any(card.show_points for card in cards)
    header = [
        _("Member"),
        _("Employer"),
        _("Employer's Party organisation"),
        _("Community reported to"),
        _("Grid branch"),
        _("Service post"),
        _("Reported on"),
        _("Last re-report"),
        _("Period"),
        _("Services"),
        _("Hours"),
    ]
    if points:
        header.append(_("Points"))
    if annual:
        header += [_("Stars"), _("Minimum met")] if points else [_("Minimum met")]
    rows = []
    for card in cards:
        report = card.report
        row: list[object] = [
            report.person.name,
            report.employer_unit.name if report.employer_unit else report.person.employer,
            report.employer_organisation.name if report.employer_organisation else "",
            report.community.name,
            report.grid_branch.name if report.grid_branch else "",
            report.service_post.name,
            report.reported_on,
            report.confirmed_on,
            card.label,
            card.totals.count,
            float(card.totals.hours),
        ]
        if points:
            row.append(float(card.points) if card.points is not None else None)
        if annual:
            row += [card.stars, _yes_no(card.meets_minimum)] if points else [_yes_no(card.meets_minimum)]
        rows.append(row)
    _sheet(workbook, _("Cards"), header, rows, [12, 24, 28, 16, 22, 18, 12, 12, 9, 8, 8, 8, 7, 10])
    services = [
        [
            card.report.person.name,
            e.on,
            _source_label(e.source),
            e.title,
            float(e.hours),
            e.region.name if e.region else "",
        ]
        for card in cards
        for e in card.entries
    ]
    _sheet(
        workbook,
        _("Services"),
        [_("Member"), _("Date"), _("Source"), _("Service"), _("Hours"), _("Where")],
        services,
        [12, 12, 12, 48, 8, 20],
    )
    for sheet in workbook.worksheets:
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- PDF --------------------------------------------------------------------------------------


def cards_pdf(cards: list[Card], *, issuer: str = "") -> bytes:
    """One A4 page (or more) per member: who, where, the services of the period and the totals."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    path, face = cjk_font()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("cjk", "", path, collection_font_number=face)
    pdf.set_title(_("Service record cards"))
    pdf.set_creator("Tongxin")
    head = FontFace(fill_color=(243, 227, 227))
    printed = timezone.localdate().isoformat()
    if not cards:
        pdf.add_page()
        pdf.set_font("cjk", size=12)
        pdf.cell(text=_("No reported members in this selection."))
    for card in cards:
        report = card.report
        pdf.add_page()
        pdf.set_font("cjk", size=16)
        pdf.cell(
            0,
            10,
            _("Service record card of an in-service Party member"),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("cjk", size=10)
        pdf.cell(
            0,
            6,
            _("Period: %(label)s (%(first)s to %(last)s)")
            % {"label": card.label, "first": card.first.isoformat(), "last": card.last.isoformat()},
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(3)
        facts = [
            (_("Member"), report.person.name),
            (_("Employer"), report.employer_unit.name if report.employer_unit else report.person.employer),
            (
                _("Employer's Party organisation"),
                report.employer_organisation.name if report.employer_organisation else "",
            ),
            (_("Community reported to"), report.community.name),
            (_("Grid branch"), report.grid_branch.name if report.grid_branch else ""),
            (_("Service post"), f"{report.service_post.name} · {report.service_post.get_kind_display()}"),
            (_("Reported on"), report.reported_on.isoformat()),
            (_("Last re-report"), report.confirmed_on.isoformat()),
        ]
        with pdf.table(
            col_widths=(45, 135), text_align="LEFT", line_height=7, first_row_as_headings=False
        ) as table:
            for key, value in facts:
                row = table.row()
                row.cell(key, style=head)
                row.cell(value or "—")
        pdf.ln(4)
        pdf.set_font("cjk", size=12)
        pdf.cell(0, 8, _("Services verified in the period"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=9)
        with pdf.table(
            col_widths=(24, 24, 106, 16),
            text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
            line_height=6,
            headings_style=head,
        ) as table:
            heading = table.row()
            for text in (_("Date"), _("Source"), _("Service"), _("Hours")):
                heading.cell(text)
            for entry in card.entries:
                row = table.row()
                row.cell(entry.on.isoformat())
                row.cell(_source_label(entry.source))
                row.cell(entry.title)
                row.cell(_num(entry.hours))
            if not card.entries:
                row = table.row()
                row.cell(_("No verified services in this period."), colspan=4)
        pdf.ln(4)
        pdf.set_font("cjk", size=11)
        if card.show_points:
            totals = _("Services: %(count)s · Hours: %(hours)s · Points: %(points)s") % {
                "count": card.totals.count,
                "hours": _num(card.totals.hours),
                "points": _num(card.totals.points),
            }
        else:
            totals = _("Services: %(count)s · Hours: %(hours)s") % {
                "count": card.totals.count,
                "hours": _num(card.totals.hours),
            }
        pdf.multi_cell(0, 7, totals, new_x="LMARGIN", new_y="NEXT")
        if card.annual and not card.show_points:
            pdf.multi_cell(
                0,
                7,
                _("Minimum of %(min)s services a year met: %(met)s")
                % {"min": card.rules.min_services_per_year, "met": _yes_no(card.meets_minimum)},
                new_x="LMARGIN",
                new_y="NEXT",
            )
        elif card.annual:
            pdf.multi_cell(
                0,
                7,
                _("Stars (十星级): %(stars)s · Minimum of %(min)s services a year met: %(met)s")
                % {
                    "stars": card.stars,
                    "min": card.rules.min_services_per_year,
                    "met": _yes_no(card.meets_minimum),
                },
                new_x="LMARGIN",
                new_y="NEXT",
            )
        pdf.set_font("cjk", size=8)
        pdf.multi_cell(
            0,
            5,
            _(
                "Only verified outcomes count: attendance confirmed by the organiser, orders solved "
                "and confirmed, milestones accepted. Rules version %(version)s."
            )
            % {"version": card.rules.version},
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(10)
        pdf.set_font("cjk", size=10)
        pdf.multi_cell(
            0,
            7,
            _("Issued by %(community)s Party organisation (seal) · printed %(day)s")
            % {"community": issuer or report.community.name, "day": printed},
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())
