"""Archiving (归档历史): the transitions of cases closed long ago move into one CaseArchive row per
case, so that the transition table — the timeline and the outbox of open work — holds the recent
years only (BENCHMARKS.md, archiving and partitioning).

A case is either wholly in CaseTransition or wholly archived: one batch of cases is one transaction
that locks the cases, writes their archive rows and deletes their transitions, so a run killed
mid-way leaves every case as it was or as it should be, and a rerun goes on where it stopped. A
transition still in the outbox (not delivered) keeps its case out of the archive until it is.

Everything that reads a case's history reads `case_history`: the archived records first, then any
transition written since (a case reopened after archiving).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tongxin.accounts.models import RoleAssignment
from tongxin.audit.chain import current_scheme
from tongxin.audit.integrity import SEALED, seal_of
from tongxin.audit.models import Seal
from tongxin.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseArchive,
    CaseArchiveEvent,
    CaseArchiveRun,
    CaseStatus,
    CaseTransition,
)
from tongxin.cases.workflow import Action
from tongxin.core.actors import Actor, actor_label

BATCH = 500

# archived transitions a figure counts by period (statistics: cases.reopened): kept as events too
COUNTED_ACTIONS = frozenset({Action.REOPEN.value})


def history_record(transition: CaseTransition, *, roles: Iterable[str] = ()) -> dict[str, Any]:
    """One transition as the archive keeps it: everything the timeline, the public status page, the
    API and exports show. `actor_label` is the name the row recorded at the time; `actor_roles` the
    roles the account held when it was archived (a transition row records no role)."""
    return {
        "id": transition.pk,
        "action": transition.action,
        "from_status": transition.from_status,
        "to_status": transition.to_status,
        "actor_id": transition.actor_id,
        "actor_label": transition.actor_label,
        "actor_roles": sorted(roles),
        "reason": transition.reason,
        "data": transition.data,
        "at": transition.at.isoformat(),
        "processed_at": transition.processed_at.isoformat() if transition.processed_at else None,
    }


@dataclass(frozen=True)
class ArchivedTransition:
    """A transition read back from the archive: the attributes of a CaseTransition that pages, the
    API and exports use."""

    id: int
    action: str
    from_status: str
    to_status: str
    actor_id: int | None
    actor_label: str
    reason: str
    data: dict[str, Any]
    at: datetime
    actor_roles: tuple[str, ...] = ()
    archived: bool = True

    @property
    def pk(self) -> int:
        return self.id

    def get_to_status_display(self) -> str:
        return (
            str(CaseStatus(self.to_status).label) if self.to_status in CaseStatus.values else self.to_status
        )

    def get_from_status_display(self) -> str:
        return (
            str(CaseStatus(self.from_status).label)
            if self.from_status in CaseStatus.values
            else self.from_status
        )

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "ArchivedTransition":
        at = parse_datetime(record["at"])
        assert at is not None
        return cls(
            id=record["id"],
            action=record["action"],
            from_status=record.get("from_status", ""),
            to_status=record["to_status"],
            actor_id=record.get("actor_id"),
            actor_label=record.get("actor_label", ""),
            reason=record.get("reason", ""),
            data=record.get("data") or {},
            at=at,
            actor_roles=tuple(record.get("actor_roles", ())),
        )


TimelineEntry = CaseTransition | ArchivedTransition


def case_history(case: Case) -> list[TimelineEntry]:
    """The case's whole timeline, oldest first: its archived records, then its transition rows."""
    archived = CaseArchive.objects.filter(case=case).values_list("history", flat=True).first()
    entries: list[TimelineEntry] = [ArchivedTransition.from_record(r) for r in archived or []]
    entries.extend(CaseTransition.objects.filter(case=case).order_by("at", "id"))
    return entries


# --- the run -------------------------------------------------------------------------------------


def archive_cutoff(today: date) -> date | None:
    """The day before which closed cases are archived by the periodic job: the first of the month
    `TONGXIN_CASE_ARCHIVE_AFTER_DAYS` ago (so a month of closures moves at once, like a monthly
    partition); None when archiving is off (0)."""
    days = int(getattr(settings, "TONGXIN_CASE_ARCHIVE_AFTER_DAYS", 365))
    if days <= 0:
        return None
    return (today - timedelta(days=days)).replace(day=1)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def archivable(before: date) -> "QuerySet[Case]":
    """Cases closed before `before` (and not open again) that still have transition rows, none of
    them waiting in the outbox."""
    rows = CaseTransition.objects.filter(case=OuterRef("pk"))
    return (
        Case.objects.filter(closed_at__lt=_moment(before))
        .exclude(status__in=list(OPEN_STATUSES))
        .filter(Exists(rows))
        .exclude(Exists(rows.filter(processed_at__isnull=True)))
    )


@dataclass
class ArchiveResult:
    cases: int = 0
    transitions: int = 0
    batches: int = 0
    ids: list[int] = field(default_factory=list)


def _roles(user_ids: set[int]) -> dict[int, set[str]]:
    held: dict[int, set[str]] = defaultdict(set)
    for user_id, role in RoleAssignment.objects.filter(user_id__in=user_ids).values_list("user_id", "role"):
        held[user_id].add(role)
    return held


def _detach(transition_ids: list[int]) -> None:
    """Rows elsewhere that point at a transition (a hotline event it produced) keep their own
    content and lose the link; a non-nullable link would make archiving lose data, so it refuses."""
    for relation in CaseTransition._meta.related_objects:
        if relation.field.model is CaseArchive:
            continue
        if not relation.field.null:
            raise RuntimeError(
                f"{relation.related_model._meta.label} must not point at an archived transition"
            )
        relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": transition_ids}).update(
            **{relation.field.name: None}
        )


def _seal(archives: list[CaseArchive]) -> None:
    label = CaseArchive._meta.label
    fields = SEALED.get(label)
    if not fields:
        return
    scheme = current_scheme()
    rows = CaseArchive.objects.filter(pk__in=[a.pk for a in archives]).values("pk", *fields)
    seals = []
    for row in rows:
        pk = row.pop("pk")
        seals.append(Seal(label=label, object_id=pk, scheme=scheme, digest=seal_of(label, pk, row, scheme)))
    Seal.objects.bulk_create(
        seals, update_conflicts=True, unique_fields=["label", "object_id"], update_fields=["scheme", "digest"]
    )


def _archive_batch(ids: list[int], before: date, now: datetime) -> tuple[int, int]:
    """Archive the cases of `ids` that are still archivable, in the caller's transaction."""
    locked = list(
        Case.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # checked again under the lock: reopened (and closed again since), or a transition added to the
    # outbox since the pick
    wanted = set(
        Case.objects.filter(pk__in=locked, closed_at__lt=_moment(before))
        .exclude(status__in=list(OPEN_STATUSES))
        .exclude(Exists(CaseTransition.objects.filter(case=OuterRef("pk"), processed_at__isnull=True)))
        .values_list("pk", flat=True)
    )
    transitions = list(CaseTransition.objects.filter(case_id__in=wanted).order_by("case_id", "at", "id"))
    if not transitions:
        return 0, 0
    roles = _roles({t.actor_id for t in transitions if t.actor_id is not None})
    by_case: dict[int, list[CaseTransition]] = defaultdict(list)
    for t in transitions:
        by_case[t.case_id].append(t)
    earlier = dict(CaseArchive.objects.filter(case_id__in=by_case).values_list("case_id", "history"))
    archives = []
    for case_id, rows in by_case.items():
        history = list(earlier.get(case_id) or []) + [
            history_record(t, roles=roles.get(t.actor_id, ()) if t.actor_id else ()) for t in rows
        ]
        archives.append(
            CaseArchive(case_id=case_id, history=history, transition_count=len(history), archived_at=now)
        )
    CaseArchive.objects.bulk_create(
        archives,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["history", "transition_count", "archived_at"],
    )
    _seal(archives)
    CaseArchiveEvent.objects.bulk_create(
        [
            CaseArchiveEvent(case_id=t.case_id, action=t.action, at=t.at)
            for t in transitions
            if t.action in COUNTED_ACTIONS
        ]
    )
    transition_ids = [t.pk for t in transitions]
    _detach(transition_ids)
    Seal.objects.filter(label=CaseTransition._meta.label, object_id__in=transition_ids).delete()
    # no per-row signals: the seals went above, and the rows pointing here were detached
    CaseTransition.objects.filter(pk__in=transition_ids)._raw_delete(connection.alias)
    return len(by_case), len(transition_ids)


def cases_archive(
    *, before: date, actor: Actor, batch: int = BATCH, limit: int | None = None, dry_run: bool = False
) -> ArchiveResult:
    """Move the transitions of cases closed before `before` into their archive, `batch` cases a
    transaction. `dry_run` counts what would move and writes nothing. Safe to rerun or kill."""
    result = ArchiveResult()
    if dry_run:
        picked = archivable(before)
        result.cases = picked.count() if limit is None else min(picked.count(), limit)
        result.transitions = CaseTransition.objects.filter(case__in=picked.values("pk")).count()
        return result
    started = timezone.now()
    after = 0
    while limit is None or result.cases < limit:
        size = batch if limit is None else min(batch, limit - result.cases)
        ids = list(archivable(before).filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            break
        with transaction.atomic():
            cases, moved = _archive_batch(ids, before, timezone.now())
        result.cases += cases
        result.transitions += moved
        result.batches += 1
        after = ids[-1]
    CaseArchiveRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        before=before,
        cases=result.cases,
        transitions=result.transitions,
        actor_label=actor_label(actor),
    )
    return result


@dataclass(frozen=True)
class ArchiveState:
    archived_cases: int
    last_run: CaseArchiveRun | None


def archive_state() -> ArchiveState:
    """For the operations page: how many cases are archived, and the last run."""
    return ArchiveState(
        archived_cases=CaseArchive.objects.count(),
        last_run=CaseArchiveRun.objects.order_by("-started_at", "-id").first(),
    )
