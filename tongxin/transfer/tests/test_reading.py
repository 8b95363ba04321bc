from datetime import date, datetime

import pytest

from tongxin.audit.models import Action, AuditEvent
from tongxin.regions.models import Region
from tongxin.transfer import cells, reading
from tongxin.transfer.layouts import LAYOUTS
from tongxin.transfer.services import transfer_import
from tongxin.transfer.tests.helpers import xlsx

HEADER = ["编码", "名称", "层级", "上级编码"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("2024/3/1", date(2024, 3, 1)),
        ("2024年3月1日", date(2024, 3, 1)),
        ("2024.03.01", date(2024, 3, 1)),
        ("2024-03-01 00:00:00", date(2024, 3, 1)),
        (20240301, date(2024, 3, 1)),
        (45352, date(2024, 3, 1)),  # an Excel serial number
        (datetime(2024, 3, 1, 0, 0), date(2024, 3, 1)),
    ],
)
def test_dates_in_the_spellings_officials_use(value, expected):
    assert cells.parse_date(value) == expected


@pytest.mark.parametrize("value", ["2024-02-30", "三月一日", "2024-13-01", 3.5])
def test_bad_dates(value):
    with pytest.raises(cells.CellError):
        cells.parse_date(value)


def test_codes_from_numbers_and_text():
    assert cells.parse_region_code(320508019044) == "320508019044"
    assert cells.parse_region_code(320508019044.0) == "320508019044"
    assert cells.parse_region_code(" 320508019044 ") == "320508019044"
    with pytest.raises(cells.CellError):
        cells.parse_region_code("3205A8")
    with pytest.raises(cells.CellError):
        cells.parse_id_card(3.2050819900101e17)


def read(data, kind="regions", filename="f.xlsx"):
    return reading.read_upload(data, filename, LAYOUTS[kind])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"name,code\n1,2\n", "not an Excel .xlsx file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old .xls"),
        (b"PK\x03\x04 not really a zip", "could not be read"),
        (xlsx({"区划": [HEADER]}), "no data rows"),
        (xlsx({"区划": [["编码", "名称"], ["1", "x"]]}), "missing the columns: 层级、上级编码"),
        (xlsx({"区划": [["a", "b"], ["1", "x"]]}), "no header row"),
        (xlsx({"区划": [["编码", "code", "名称"], ["1", "1", "x"]]}), "appears twice"),
    ],
)
def test_files_refused_as_a_whole(data, message):
    with pytest.raises(reading.FileRejected) as exc:
        read(data)
    assert message in exc.value.message


def test_size_and_row_limits(monkeypatch):
    data = xlsx({"区划": [HEADER] + [[f"3205080190{i:02d}", "x", "社区", "320508019000"] for i in range(5)]})
    monkeypatch.setattr(reading, "MAX_ROWS", 4)
    with pytest.raises(reading.FileRejected, match="more than 4 rows"):
        read(data)
    monkeypatch.setattr(reading, "MAX_BYTES", len(data) - 1)
    with pytest.raises(reading.FileRejected, match="larger than"):
        read(data)


def test_geojson_upload_is_only_for_grids():
    with pytest.raises(reading.FileRejected, match="not an Excel"):
        read(b'{"type": "FeatureCollection", "features": []}', filename="g.geojson")
    with pytest.raises(reading.FileRejected, match="no features"):
        read(b'{"type": "FeatureCollection", "features": []}', kind="grids", filename="g.geojson")
    with pytest.raises(reading.FileRejected, match="not valid GeoJSON"):
        read(b"{oops", kind="grids", filename="g.geojson")


def test_blank_rows_are_skipped_and_row_numbers_are_excels():
    upload = read(xlsx({"区划": [HEADER, [None] * 4, ["320508019046", "甲", "社区", "320508019000"]]}))
    assert [row.number for row in upload.sheets[0].rows] == [3]


def test_refused_file_is_audited_and_writes_nothing(tree, admin):
    count = Region.objects.count()
    report = transfer_import(user=admin, kind="regions", data=b"hello", filename="notes.txt")
    assert report.rejected and not report.ok
    assert Region.objects.count() == count
    event = AuditEvent.objects.filter(action=Action.IMPORT).latest("id")
    assert (event.outcome, event.detail["rejected"]) == ("failure", report.rejected)


def test_a_zip_that_unpacks_to_too_much_is_refused(monkeypatch):
    data = xlsx({"区划": [HEADER, ["320508019046", "甲", "社区", "320508019000"]]})
    monkeypatch.setattr(reading, "MAX_EXPANDED_BYTES", 1000)
    with pytest.raises(reading.FileRejected, match="too much data"):
        read(data)
