"""Reading an upload (.xlsx, or .geojson for grids) into rows keyed by column, with limits."""

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tongxin.transfer import cells, layouts
from tongxin.transfer.layouts import Layout, Sheet

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# the header may sit under a title line or two
HEADER_SEARCH_ROWS = 10
# a sheet formatted down to row 1,048,576 is not read to the end
MAX_BLANK_RUN = 10_000
MAX_COLUMNS = 100
MAX_EXPANDED_BYTES = 250 * 1024 * 1024
GEOJSON_SHEET = "GeoJSON"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileRejected(Exception):
    """The whole file is refused before any row is looked at."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    number: int  # as Excel shows it (or the feature's position in a GeoJSON file)
    cells: dict[str, Any]  # column key -> raw cell value


@dataclass
class SheetRows:
    sheet: Sheet
    label: str  # the sheet's name in the file
    headers: dict[str, str]  # column key -> header as written in the file
    rows: list[Row] = field(default_factory=list)

    def header(self, key: str) -> str:
        return self.headers.get(key) or self.sheet.header_of(key)


@dataclass
class Upload:
    sheets: list[SheetRows]
    ignored_columns: list[str]

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets)


def read_upload(data: bytes, filename: str, layout: Layout) -> Upload:
    if not data:
        raise FileRejected(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileRejected(
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    name = (filename or "").lower()
    if layout.geojson and (
        name.endswith((".geojson", ".json")) or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"
    ):
        return _read_geojson(data, layout)
    if data.startswith(_OLE_MAGIC):
        raise FileRejected(
            _("This is an old .xls file. Save it as an Excel workbook (.xlsx) and upload it again.")
        )
    if not data.startswith(_ZIP_MAGIC):
        if layout.geojson:
            raise FileRejected(_("This is not an Excel .xlsx file or a GeoJSON file."))
        raise FileRejected(_("This is not an Excel .xlsx file."))
    return _read_xlsx(data, layout)


def _read_xlsx(data: bytes, layout: Layout) -> Upload:
    from openpyxl import load_workbook

    try:
        expanded = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError):
        raise FileRejected(_("The file could not be read as an Excel .xlsx file."))
    if expanded > MAX_EXPANDED_BYTES:
        # a small file that unpacks to gigabytes would exhaust memory before the row limit is seen
        raise FileRejected(_("The file holds too much data. Split it into smaller files."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign zip raises anything from BadZipFile to KeyError
        raise FileRejected(_("The file could not be read as an Excel .xlsx file."))
    try:
        sheets: list[SheetRows] = []
        ignored: list[str] = []
        used: set[str] = set()
        budget = MAX_ROWS
        for sheet in layout.sheets:
            worksheet = _find_sheet(workbook, sheet, layout, used)
            if worksheet is None:
                if sheet.optional:
                    continue
                raise FileRejected(_("The file has no sheet named %(sheet)s.") % {"sheet": sheet.title})
            used.add(worksheet.title)
            read = _read_sheet(worksheet, sheet, budget, ignored)
            budget -= len(read.rows)
            sheets.append(read)
    finally:
        workbook.close()
    upload = Upload(sheets, ignored)
    if upload.row_count == 0:
        raise FileRejected(_("The file has no data rows under the header."))
    return upload


def _find_sheet(workbook: Any, sheet: Sheet, layout: Layout, used: set[str]) -> Any:
    wanted = {layouts.normalise(n) for n in (sheet.title, *sheet.aliases)}
    for worksheet in workbook.worksheets:
        if layouts.normalise(worksheet.title) in wanted:
            return worksheet
    if sheet is not layout.main:
        return None
    # a main sheet under another name (Sheet1): the first that is not notes or another layout's sheet
    reserved = {
        layouts.normalise(n) for n in (layouts.NOTES_SHEET, layouts.SUMMARY_SHEET, "notes", "summary")
    }
    for other in layout.sheets[1:]:
        reserved |= {layouts.normalise(n) for n in (other.title, *other.aliases)}
    for worksheet in workbook.worksheets:
        if worksheet.title not in used and layouts.normalise(worksheet.title) not in reserved:
            return worksheet
    return None


def _header_table(sheet: Sheet) -> dict[str, str]:
    table: dict[str, str] = {}
    for column in sheet.columns:
        for spelling in (column.header, *column.aliases):
            table.setdefault(layouts.normalise(spelling), column.key)
    return table


def _read_sheet(worksheet: Any, sheet: Sheet, budget: int, ignored: list[str]) -> SheetRows:
    table = _header_table(sheet)
    rows_iter = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    header_at: int | None = None
    positions: dict[int, str] = {}
    headers: dict[str, str] = {}
    for number, values in enumerate(rows_iter, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        matched = {
            i: table[layouts.normalise(v)] for i, v in enumerate(values) if layouts.normalise(v) in table
        }
        if len(matched) >= min(2, len(sheet.columns)):
            header_at = number
            positions = {}
            for i, key in matched.items():
                written = cells.as_text(values[i])
                if key in headers:
                    raise FileRejected(
                        _("In sheet %(sheet)s the column %(header)s appears twice.")
                        % {"sheet": worksheet.title, "header": written}
                    )
                headers[key] = written
                positions[i] = key
            for i, v in enumerate(values):
                if i not in matched and not cells.is_blank(v):
                    ignored.append(f"{worksheet.title}: {cells.as_text(v)}")
            break
    if header_at is None:
        raise FileRejected(
            _(
                "Sheet %(sheet)s has no header row. "
                "The first row must hold the column names, such as %(example)s."
            )
            % {"sheet": worksheet.title, "example": "、".join(c.header for c in sheet.columns[:3])}
        )
    missing = [c.header for c in sheet.columns if c.required and c.key not in headers]
    if missing:
        raise FileRejected(
            _("Sheet %(sheet)s is missing the columns: %(columns)s.")
            % {"sheet": worksheet.title, "columns": "、".join(missing)}
        )
    result = SheetRows(sheet, worksheet.title, headers)
    blank_run = 0
    width = max(positions) + 1
    for number, values in enumerate(
        worksheet.iter_rows(min_row=header_at + 1, values_only=True, max_col=width), start=header_at + 1
    ):
        row = {
            key: values[i]
            for i, key in positions.items()
            if i < len(values) and not cells.is_blank(values[i])
        }
        if not row:
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        if len(result.rows) >= budget:
            raise FileRejected(_too_many_rows())
        result.rows.append(Row(number, row))
    return result


def _too_many_rows() -> str:
    return _("The file has more than %(n)s rows. Split it into smaller files.") % {"n": f"{MAX_ROWS:,}"}


def _read_geojson(data: bytes, layout: Layout) -> Upload:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise FileRejected(_("The file is not valid GeoJSON."))
    if not isinstance(document, dict) or document.get("type") not in {"FeatureCollection", "Feature"}:
        raise FileRejected(_("A GeoJSON upload must be a FeatureCollection of grid polygons."))
    features = [document] if document["type"] == "Feature" else document.get("features")
    if not isinstance(features, list) or not features:
        raise FileRejected(_("The GeoJSON file has no features."))
    if len(features) > MAX_ROWS:
        raise FileRejected(_too_many_rows())
    sheet = layout.main
    table = _header_table(sheet)
    result = SheetRows(sheet, GEOJSON_SHEET, {"boundary": "geometry"})
    ignored: set[str] = set()
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            feature = {}
        properties = feature.get("properties") or {}
        row: dict[str, Any] = {}
        if isinstance(properties, dict):
            for name, value in properties.items():
                key = table.get(layouts.normalise(name))
                if key is None or key == "boundary":
                    ignored.add(str(name))
                    continue
                result.headers.setdefault(key, str(name))
                if not cells.is_blank(value):
                    row[key] = value
        if feature.get("geometry") is not None:
            row["boundary"] = feature["geometry"]
        result.rows.append(Row(number, row))
    return Upload([result], sorted(ignored - {"id"}))
