"""The assessment ledger (考核台账) as Excel — one row per team or cadre with its item scores and
grade — and the import of subjective scores from the same layout, all or nothing with each bad row
reported by its number and reason."""

import io
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import load_workbook

from tongxin.assessment.models import Item, Result, Run
from tongxin.assessment.services import Cell, scores_enter
from tongxin.core.actors import Actor
from tongxin.core.xlsx import Column

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
ID_HEADER = gettext_lazy("No.")


class NoFilter:
    """The ledger has no filters: the form an export reads its filters from, empty."""

    is_bound = False

    def is_valid(self) -> bool:
        return True

    def values(self) -> dict[str, Any]:
        return {}


def _score_of(item: Item) -> Any:
    def value(result: Result) -> Any:
        for s in result.scores.all():
            if s.item_id == item.pk:
                return s.score
        return None

    return value


def ledger_columns(run: Run, *, names: bool, ranking: bool) -> list[Column]:
    """Subject, village, its street, (name and post where the user sees people), each item's score,
    total, grade, 末位 and (for the owner, when the scheme shows it) the rank."""
    columns = [
        Column(ID_HEADER, lambda r: r.pk, width=8),
        Column(gettext_lazy("subject"), lambda r: r.get_kind_display(), width=10),
        Column(gettext_lazy("village or community"), lambda r: r.region.name, width=16),
        Column(
            gettext_lazy("street or township"),
            lambda r: r.region.parent.name if r.region.parent_id else "",
            width=16,
        ),
    ]
    if names:
        columns += [
            Column(pgettext_lazy("person", "name"), lambda r: r.person.name if r.person_id else "", width=10),
            Column(gettext_lazy("post"), lambda r: r.post, width=14),
        ]
    columns += [Column(i.name, _score_of(i), width=12) for i in run.scheme.items.all()]
    columns += [
        Column(gettext_lazy("total score"), lambda r: r.total, width=10),
        Column(gettext_lazy("grade"), lambda r: r.get_grade_display(), width=10),
        Column(gettext_lazy("末位"), lambda r: r.bottom if r.grade else None, width=8),
    ]
    if ranking:
        columns.append(Column(gettext_lazy("rank"), lambda r: r.rank, width=8))
    return columns


def sheet_columns(run: Run) -> list[Column]:
    """The score sheet the assessors fill in: the subjects and the subjective items' columns."""
    columns = [
        Column(ID_HEADER, lambda r: r.pk, width=8),
        Column(gettext_lazy("subject"), lambda r: r.label, width=24),
        Column(gettext_lazy("post"), lambda r: r.post, width=14),
    ]
    return columns + [
        Column(i.name, _score_of(i), width=14) for i in run.scheme.items.all() if not i.is_objective
    ]


def with_scores(queryset: QuerySet[Result]) -> QuerySet[Result]:
    return queryset.select_related("region__parent", "person").prefetch_related("scores")


def scores_import(*, actor: Actor, run: Run, data: bytes) -> int:
    """Read a score sheet and enter its scores (services.scores_enter): all or nothing. Errors
    name the row as Excel numbers it ("Row 7: …")."""
    if not data or len(data) > MAX_BYTES:
        raise ValidationError(_("The file is empty or larger than 5 MB."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError(_("This is not an Excel workbook (.xlsx).")) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    items = {i.name: i for i in run.scheme.items.all() if not i.is_objective}
    if not header or header[0] != str(ID_HEADER):
        raise ValidationError(
            _("The first column must be “%(col)s”, as in the score sheet.") % {"col": ID_HEADER}
        )
    columns = {index: items[name] for index, name in enumerate(header) if name in items}
    if not columns:
        raise ValidationError(_("The sheet has no column named after a subjective item of this scheme."))
    subjects = set(run.results.values_list("pk", flat=True))
    cells: list[Cell] = []
    where: dict[str, int] = {}
    problems: list[str] = []
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise ValidationError(_("The sheet has more than %(n)s rows.") % {"n": MAX_ROWS})
        if not row or all(v is None or str(v).strip() == "" for v in row):
            continue
        raw_id = row[0]
        try:
            result_id = int(str(raw_id).strip().split(".")[0])
        except (TypeError, ValueError):
            result_id = 0
        if result_id not in subjects:
            problems.append(
                _("Row %(row)s: no subject of this assessment has the number “%(id)s”.")
                % {"row": number, "id": raw_id}
            )
            continue
        for index, item in columns.items():
            raw = row[index] if index < len(row) else None
            cells.append(Cell(result_id, item.pk, raw))
            where[f"{result_id}-{item.pk}"] = number
    if problems:
        raise ValidationError(problems)
    try:
        return scores_enter(actor=actor, run=run, cells=cells)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            [
                _("Row %(row)s: %(problem)s") % {"row": where.get(key, "?"), "problem": " ".join(messages)}
                for key, messages in sorted(exc.message_dict.items(), key=lambda kv: where.get(kv[0], 0))
            ]
        ) from exc
