"""Import of the collective-economy ledger from Excel (the county's existing 台账): one row per
village and year, columns 村代码, 年度, the five income sources, 资产, 负债, 集体产权改革. All or
nothing: every bad row is reported by its row number and reason, and then nothing is written."""

from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor
from tongxin.regions.models import Region
from tongxin.villages.models import PropertyReform
from tongxin.villages.services import MONEY_FIELDS, economy_record, is_village, money

HEADERS = {
    "村代码": "code",
    "年度": "year",
    "经营性收入": "operating_income",
    "发包及上交收入": "contracting_income",
    "投资收益": "investment_income",
    "补助收入": "subsidy_income",
    "其他收入": "other_income",
    "资产": "assets",
    "负债": "liabilities",
    "集体产权改革": "property_reform",
}
REFORM = {
    "未启动": PropertyReform.NOT_STARTED,
    "推进中": PropertyReform.IN_PROGRESS,
    "已完成": PropertyReform.DONE,
}
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


def _reason(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "；".join(m for messages in error.message_dict.values() for m in messages)
    return "；".join(error.messages)


def _rows(file: IO[bytes]) -> list[tuple[int, dict[str, Any]]]:
    try:
        book = load_workbook(BytesIO(file.read()), read_only=True, data_only=True)
    except Exception:
        raise ImportFailed([RowError(0, _("The file is not an Excel workbook (.xlsx)."))]) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise ImportFailed([RowError(1, _("Columns missing: %(cols)s") % {"cols": "、".join(missing)})])
    index = {HEADERS[h]: header.index(h) for h in HEADERS}
    found = []
    for number, cells in enumerate(rows, start=2):
        if not any(c not in (None, "") for c in cells):
            continue
        found.append((number, {key: cells[i] if i < len(cells) else None for key, i in index.items()}))
        if len(found) > MAX_ROWS:
            raise ImportFailed([RowError(number, _("Too many rows in one file."))])
    return found


def economy_import(*, actor: Actor, file: IO[bytes]) -> int:
    """Write every row of the ledger, or none: the first pass checks all rows and collects each bad
    one with its reason; the writes run in one transaction that a late failure rolls back."""
    rows = _rows(file)
    errors: list[RowError] = []
    villages = {
        r.code: r for r in Region.objects.filter(code__in=[str(v["code"] or "").strip() for _n, v in rows])
    }
    seen: set[tuple[str, int]] = set()
    checked = []
    for number, values in rows:
        code = str(values.pop("code") or "").strip()
        region = villages.get(code)
        if region is None or not is_village(region):
            errors.append(RowError(number, _("No village has the code “%(code)s”.") % {"code": code}))
            continue
        try:
            year = int(values.pop("year"))
        except (TypeError, ValueError):
            errors.append(RowError(number, _("The year is not a number.")))
            continue
        if (code, year) in seen:
            errors.append(RowError(number, _("This village and year appear twice in the file.")))
            continue
        seen.add((code, year))
        reform = str(values.get("property_reform") or "").strip()
        if reform not in REFORM:
            errors.append(RowError(number, _("集体产权改革 is one of 未启动, 推进中, 已完成.")))
            continue
        values["property_reform"] = REFORM[reform]
        try:
            for name in MONEY_FIELDS:
                values[name] = money(0 if values[name] is None else values[name], field=name)
        except ValidationError as error:
            errors.append(RowError(number, _reason(error)))
            continue
        checked.append((number, region, year, values))
    if errors:
        raise ImportFailed(errors)
    try:
        with transaction.atomic():
            for number, region, year, values in checked:
                try:
                    economy_record(actor=actor, region=region, year=year, values=values)
                except ValidationError as error:
                    errors.append(RowError(number, _reason(error)))
                except PermissionDenied:
                    errors.append(RowError(number, _("This village is outside your area.")))
            if errors:
                raise ImportFailed(errors)
    except ImportFailed:
        raise
    audit_record(action=Action.IMPORT, actor=actor, target="villages:economy", detail={"rows": len(checked)})
    return len(checked)
