"""Writing workbooks: exports in the import layouts (so they re-import unchanged) and templates."""

import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tongxin.cadres.selectors import profiles_of, roster_positions
from tongxin.core.xlsx import xlsx_text
from tongxin.regions.models import Level, Region
from tongxin.transfer import cells, layouts, selectors
from tongxin.transfer.layouts import Column, Layout, Sheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_CONTENT_TYPE = "application/geo+json"
# Excel keeps at most this many characters in a cell
MAX_CELL_CHARS = 32_767
_TEXT_TYPES = {layouts.CODE, layouts.REGION_CODE, layouts.ID_CARD, layouts.PHONE}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F3E3E3")


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_sheet(workbook: Workbook, sheet: Sheet, records: Iterable[dict[str, Any]]) -> int:
    """One layout sheet: bold frozen header, widths, code columns as text. Returns the row count."""
    worksheet = workbook.create_sheet(sheet.title)
    worksheet.append([c.header for c in sheet.columns])
    for index, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = column.width
        if column.type in _TEXT_TYPES:
            # cells typed into the column later stay text, so long codes keep their digits
            worksheet.column_dimensions[letter].number_format = "@"
    worksheet.freeze_panes = "A2"
    count = 0
    text_columns = [i for i, c in enumerate(sheet.columns, start=1) if c.type in _TEXT_TYPES]
    for record in records:
        worksheet.append([_value(record.get(c.key)) for c in sheet.columns])
        count += 1
        for cell in worksheet[count + 1]:
            # text such as "=HYPERLINK(…)" in an address stays text, never a formula
            if cell.data_type == "f":
                cell.data_type = "s"
        for index in text_columns:
            worksheet.cell(row=count + 1, column=index).number_format = "@"
    if count:
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{count + 1}"
    return count


def _value(value: Any) -> Any:
    return xlsx_text(value) if isinstance(value, str) else value


def _geometry_text(geometry: Any, overflow: list[str], code: str) -> str | None:
    if not geometry:
        return None
    text = json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))
    if len(text) > MAX_CELL_CHARS:
        overflow.append(code)
        return None
    return text


# -- records per kind ----------------------------------------------------------------------


def region_records(
    root: Region, overflow: list[str], *, level: str | None = None
) -> Iterator[dict[str, Any]]:
    for region in selectors.regions_under(root, level=level).iterator(chunk_size=2000):
        yield {
            "code": region.code,
            "name": region.name,
            "level": layouts.LEVEL_CHOICES.label(region.level),
            "kind": layouts.KIND_CHOICES.label(region.kind),
            "parent_code": region.parent.code if region.parent else None,
            "address": region.address or None,
            "lng": region.centre_lng,
            "lat": region.centre_lat,
            "boundary": _geometry_text(region.geometry, overflow, region.code),
        }


def organisation_records(root: Region) -> Iterator[dict[str, Any]]:
    for org in selectors.organisations_under(root).iterator(chunk_size=2000):
        yield {
            "code": org.code,
            "name": org.name,
            "kind": layouts.ORG_KIND_CHOICES.label(org.kind),
            "parent_code": org.parent.code if org.parent else None,
            "region_code": org.region.code,
            "founded_on": org.founded_on,
            "term_ends_on": org.term_ends_on,
        }


def _numbers(person: Any, reveal: bool) -> tuple[str | None, str | None]:
    if reveal:
        return person.reveal_id_card() or None, person.reveal_phone() or None
    return person.id_card_masked or None, person.phone_masked or None


def person_records(root: Region, *, reveal: bool) -> Iterator[dict[str, Any]]:
    for person in selectors.people_under(root).iterator(chunk_size=2000):
        id_card, phone = _numbers(person, reveal)
        yield {
            "name": person.name,
            "gender": layouts.GENDER_CHOICES.label(person.gender) if person.gender else None,
            "birth_date": person.birth_date,
            "ethnicity": person.ethnicity or None,
            "id_card": id_card,
            "phone": phone,
            "region_code": person.region.code,
            "address": person.address or None,
            "employer": person.employer or None,
            "party_status": layouts.PARTY_STATUS_CHOICES.label(person.party_status),
            "party_joined_on": person.party_joined_on,
            "party_full_on": person.party_full_on,
            "branch_code": person.branch.code if person.branch else None,
        }


def position_records(root: Region, *, reveal: bool) -> Iterator[dict[str, Any]]:
    for position in selectors.positions_under(root).iterator(chunk_size=2000):
        id_card, _phone = _numbers(position.person, reveal)
        yield {
            "id_card": id_card,
            "name": position.person.name,
            "kind": layouts.POSITION_CHOICES.label(position.kind),
            "region_code": position.region.code,
            "org_code": position.organisation.code if position.organisation else None,
            "starts_on": position.starts_on,
            "ends_on": position.ends_on,
        }


def household_records(root: Region) -> Iterator[dict[str, Any]]:
    """Households with their address parts; never their care tags (sensitive, PIPL art. 28)."""
    for household in selectors.households_under(root).iterator(chunk_size=2000):
        yield {
            "building_code": household.building.code,
            "street": household.street or None,
            "house_number": household.house_number or None,
            "unit": household.unit or None,
            "room": household.room,
            "note": household.note or None,
            "address": household.address,
        }


def cadre_records(root: Region, *, reveal: bool) -> Iterator[dict[str, Any]]:
    """One row per person on the roster under `root` today, with the posts they hold."""
    posts: dict[int, list[Any]] = {}
    for position in roster_positions(root).order_by("person_id", "region__path", "pk"):
        posts.setdefault(position.person_id, []).append(position)
    profiles = profiles_of(list(posts))
    low, high = root.path, root.path + "~"
    units = {r.pk: r for r in Region.objects.filter(level=Level.COMMUNITY, path__gte=low, path__lt=high)}
    for person_id, held in posts.items():
        person = held[0].person
        profile = profiles.get(person_id)
        id_card, _phone = _numbers(person, reveal)
        unit = _unit_of(held[0].region, units)
        yield {
            "id_card": id_card,
            "name": person.name,
            "unit_code": unit.code if unit else held[0].region.code,
            "posts": "、".join(f"{p.get_kind_display()}（{p.region.name}）" for p in held),
            "education": layouts.EDUCATION_CHOICES.label(profile.education) if profile else None,
            "major": (profile.major or None) if profile else None,
            "upgrade_level": layouts.EDUCATION_CHOICES.label(profile.upgrade_level)
            if profile and profile.upgrade_level
            else None,
            "upgrade_school": (profile.upgrade_school or None) if profile else None,
            "upgrade_expected_on": profile.upgrade_expected_on if profile else None,
            "political_status": layouts.POLITICAL_CHOICES.label(
                "party" if person.party_status else (profile.political_status if profile else "masses")
            ),
            "wealth_leader": _yes_no(profile.wealth_leader) if profile else None,
            "college_graduate_cadre": _yes_no(profile.college_graduate_cadre) if profile else None,
            "veteran": _yes_no(profile.veteran) if profile else None,
            "note": (profile.note or None) if profile else None,
        }


def _yes_no(value: bool) -> str:
    return layouts.YES_NO.label("yes" if value else "no")


def _unit_of(region: Region, units: dict[int, Region]) -> Region | None:
    """The community or village a post's region lies in (itself, or its nearest such ancestor)."""
    ids = [int(p) for p in region.path.strip("/").split("/") if p]
    return next((units[pk] for pk in reversed(ids) if pk in units), None)


# -- whole files ---------------------------------------------------------------------------


def _filename(kind: str, root: Region, extension: str) -> str:
    return f"tongxin-{kind}-{root.code}-{timezone.localdate():%Y%m%d}.{extension}"


def export_workbook(*, layout: Layout, root: Region, reveal: bool, exported_by: str) -> ExportFile:
    workbook = _workbook()
    counts: dict[str, int] = {}
    overflow: list[str] = []
    kind = layout.kind
    if kind == layouts.REGIONS:
        counts[layout.main.title] = write_sheet(workbook, layout.main, region_records(root, overflow))
    elif kind == layouts.GRIDS:
        counts[layout.main.title] = write_sheet(
            workbook, layout.main, region_records(root, overflow, level=Level.GRID)
        )
    elif kind == layouts.ORGANISATIONS:
        counts[layout.main.title] = write_sheet(workbook, layout.main, organisation_records(root))
    elif kind == layouts.HOUSEHOLDS:
        counts[layout.main.title] = write_sheet(workbook, layout.main, household_records(root))
    elif kind == layouts.CADRES:
        counts[layout.main.title] = write_sheet(workbook, layout.main, cadre_records(root, reveal=reveal))
    else:
        people_sheet, position_sheet = layout.sheets
        counts[people_sheet.title] = write_sheet(workbook, people_sheet, person_records(root, reveal=reveal))
        counts[position_sheet.title] = write_sheet(
            workbook, position_sheet, position_records(root, reveal=reveal)
        )
    notes = []
    if overflow:
        notes.append(
            _(
                "%(n)d boundaries are too long for an Excel cell and were left empty (an empty cell "
                "keeps the stored boundary on import). Export the grids as GeoJSON to get them: %(codes)s"
            )
            % {"n": len(overflow), "codes": "、".join(overflow[:20])}
        )
    _summary_sheet(
        workbook, layout=layout, root=root, reveal=reveal, exported_by=exported_by, counts=counts, notes=notes
    )
    return ExportFile(_save(workbook), _filename(kind, root, "xlsx"), XLSX_CONTENT_TYPE, counts, notes)


def _summary_sheet(
    workbook: Workbook,
    *,
    layout: Layout,
    root: Region,
    reveal: bool,
    exported_by: str,
    counts: dict[str, int],
    notes: list[str],
) -> None:
    worksheet = workbook.create_sheet(layouts.SUMMARY_SHEET)
    personal = layout.kind == layouts.PEOPLE
    rows: list[list[Any]] = [
        [_("Data"), str(layout.label)],
        [_("Region"), f"{root.name} ({root.code})"],
        [_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        [_("Exported by"), exported_by],
    ]
    if personal:
        rows.append(
            [
                _("Phone and ID-card numbers"),
                _("in full") if reveal else _("masked (they keep the stored numbers)"),
            ]
        )
    for row in rows:
        worksheet.append(row)
    worksheet.append([])
    worksheet.append([_("Sheet"), _("Rows")])
    header_row = worksheet.max_row
    for title, count in counts.items():
        worksheet.append([title, count])
    worksheet.append([_("Total"), sum(counts.values())])
    total_row = worksheet.max_row
    for row_number in (header_row, total_row):
        for cell in worksheet[row_number]:
            cell.font = _HEADER_FONT
    for note in notes:
        worksheet.append([])
        worksheet.append([note])
    worksheet.column_dimensions["A"].width = 28
    worksheet.column_dimensions["B"].width = 40


def export_geojson(*, root: Region) -> ExportFile:
    features = []
    for region in selectors.regions_under(root, level=Level.GRID).iterator(chunk_size=2000):
        features.append(
            {
                "type": "Feature",
                "geometry": region.geometry,
                "properties": {
                    "code": region.code,
                    "name": region.name,
                    "parent_code": region.parent.code if region.parent else None,
                    "address": region.address,
                },
            }
        )
    content = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
    return ExportFile(
        content, _filename(layouts.GRIDS, root, "geojson"), GEOJSON_CONTENT_TYPE, {"GeoJSON": len(features)}
    )


def template_workbook(layout: Layout) -> ExportFile:
    workbook = _workbook()
    for sheet in layout.sheets:
        write_sheet(workbook, sheet, [{c.key: _example(c) for c in sheet.columns}])
    _notes_sheet(workbook, layout)
    return ExportFile(_save(workbook), f"tongxin-{layout.kind}-template.xlsx", XLSX_CONTENT_TYPE)


def _example(column: Column) -> Any:
    if column.example and column.type == layouts.DATE:
        return cells.parse_date(column.example)
    return column.example if column.example != "" else None


def _notes_sheet(workbook: Workbook, layout: Layout) -> None:
    worksheet = workbook.create_sheet(layouts.NOTES_SHEET)
    worksheet.append([_("How to fill in this file")])
    worksheet["A1"].font = Font(bold=True, size=13)
    general = [
        _("Replace the example row with your own rows. Columns are found by their header, in any order."),
        _(
            "Type codes and ID-card numbers as text (the columns are formatted as text) "
            "so Excel keeps every digit."
        ),
        _("Dates may be Excel dates or text such as 2024-03-01, 2024/3/1 or 2024年3月1日."),
        _(
            "A row whose code (or ID-card number) is already in Tongxin updates that record; "
            "an empty cell keeps the stored value. A row equal to the stored record changes nothing."
        ),
        _("A masked number such as 138****1234 keeps the stored number; it is never saved."),
        _("If any row has a problem, nothing is imported and you get a list of the rows to correct."),
        _("At most 10 MB and 50,000 rows per file."),
    ]
    if layout.geojson:
        general.append(
            _(
                "Grids can also be uploaded as a GeoJSON FeatureCollection with the properties "
                "code, name and parent_code (or 编码, 名称, 上级编码)."
            )
        )
    for line in general:
        worksheet.append([line])
    worksheet.append([])
    worksheet.append(
        [_("Sheet"), _("Column"), _("Also accepted"), _("Needed for a new record"), _("What to enter")]
    )
    for cell in worksheet[worksheet.max_row]:
        cell.font = _HEADER_FONT
    for sheet in layout.sheets:
        for column in sheet.columns:
            explanation = str(column.help)
            if column.choices is not None:
                explanation += " " + _("Values: %(values)s.") % {
                    "values": "、".join(column.choices.labels.values())
                }
            worksheet.append(
                [
                    sheet.title,
                    column.header,
                    ", ".join(column.aliases),
                    "✓" if column.needed else "",
                    explanation,
                ]
            )
    for letter, width in zip("ABCDE", (10, 14, 30, 12, 80), strict=True):
        worksheet.column_dimensions[letter].width = width
    for row in worksheet.iter_rows(
        min_row=worksheet.max_row - sum(len(s.columns) for s in layout.sheets) + 1
    ):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
