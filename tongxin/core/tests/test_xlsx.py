"""The shared list export: header, one row per item, a total row for summable columns only,
text that looks like a formula stays text, aware datetimes become local times."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone
from openpyxl import load_workbook

from tongxin.core.periods import overlapping
from tongxin.core.xlsx import Column, workbook_bytes


def _read(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_rows_and_total():
    items = [
        SimpleNamespace(title='=HYPERLINK("x")', on=date(2025, 3, 1), hours=Decimal("1.5"), done=True),
        SimpleNamespace(title="清扫", on=date(2025, 3, 2), hours=Decimal("2"), done=False),
    ]
    columns = [
        Column("Title", lambda i: i.title),
        Column("Date", lambda i: i.on),
        Column("Hours", lambda i: i.hours, total=True),
        Column("Done", lambda i: i.done),
    ]
    content, count = workbook_bytes(items, columns, title="Services")
    rows = _read(content)
    assert count == 2 and rows[0] == ["Title", "Date", "Hours", "Done"]
    assert rows[1][0] == '=HYPERLINK("x")'  # kept as text, not evaluated
    assert rows[1][1] == datetime(2025, 3, 1) and rows[1][3] == "Yes"
    assert rows[-1] == ["Total", None, 3.5, None]


def test_no_total_row_without_a_summable_column_and_local_times():
    moment = datetime(2025, 3, 1, 16, 30, tzinfo=UTC)
    content, count = workbook_bytes([SimpleNamespace(at=moment)], [Column("At", lambda i: i.at)], title="x")
    rows = _read(content)
    assert count == 1 and len(rows) == 2
    assert rows[1][0] == timezone.localtime(moment).replace(tzinfo=None)


def test_overlapping_builds_an_open_ended_condition():
    class Fake:
        def __init__(self) -> None:
            self.calls: list[object] = []

        def filter(self, *args: object, **kwargs: object) -> "Fake":
            self.calls.append(args or kwargs)
            return self

    fake = Fake()
    overlapping(fake, "left_on", "returned_on", date(2025, 1, 1), date(2025, 1, 31))
    assert fake.calls[0] == {"left_on__lte": date(2025, 1, 31)}
    assert "returned_on__isnull" in str(fake.calls[1])
