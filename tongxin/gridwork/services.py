"""Writes of grid work: one path each. A log entry (log_record), its correction by its author within a
day (log_correct, audited), a finding made a case in one tap (log_finding_report, idempotent), a
campaign started and closed, and the visit interval set by a community or street.

Who may: recording needs `gridwork.record` at the grid (grid workers, grid leaders, community
staff); campaigns and configuration need `gridwork.configure` at the street or community.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_edit, known_fields
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.cases.models import Case, CaseCategory, CaseKind, CaseSource
from tongxin.cases.reporting import case_intake_in_grid, photos_validate
from tongxin.cases.services import case_intake, locate
from tongxin.core.actors import SYSTEM, Actor, actor_label, is_user, require_scope, user_or_none
from tongxin.core.roles import Capability
from tongxin.gridwork.config import kind_in_force
from tongxin.gridwork.models import (
    Campaign,
    ChecklistTemplate,
    KindCode,
    LogEntry,
    LogKind,
    LogPhoto,
    Outcome,
    VisitInterval,
)
from tongxin.households.models import Household
from tongxin.lib.tree import PATH_SEP
from tongxin.regions.models import Level, Region

# who records the log (the grid's workers and leaders, community staff), who reads it, and who
# configures kinds, checklists and intervals and runs campaigns (a street or community)
RECORD = Capability.GRIDWORK_RECORD
VIEW = Capability.GRIDWORK_VIEW
MANAGE = Capability.GRIDWORK_CONFIGURE

CORRECTION_WINDOW = timedelta(days=1)
# an entry may be written up to a week late (a weekend's visits on Monday), never in the future
LATE_LIMIT = timedelta(days=7)
ANSWERS = ("ok", "issue")
CORRECTABLE = ("note", "outcome", "found_something", "at", "answers")


def _kind(kind: str | LogKind, grid: Region) -> LogKind:
    """The kind as in force at the grid (its community's or street's own row, else the default)."""
    if isinstance(kind, LogKind):
        kind = kind.code
    found = kind_in_force(grid, kind)
    if found is None:
        raise ValidationError({"kind": [_("Choose a kind of log entry.")]})
    return found


def _check_answers(campaign: Campaign | None, answers: dict[str, Any]) -> dict[str, str]:
    if not answers:
        return {}
    if campaign is None:
        raise ValidationError({"answers": [_("Checklist answers belong to a campaign's round.")]})
    keys = {item["key"] for item in campaign.checklist}
    cleaned = {}
    for key, value in answers.items():
        if key not in keys or value not in ANSWERS:
            raise ValidationError({"answers": [_("Answer each checklist item with “fine” or “problem”.")]})
        cleaned[key] = value
    return cleaned


def _validate(
    *,
    kind: LogKind,
    grid: Region,
    household: Household | None,
    campaign: Campaign | None,
    at: datetime,
    outcome: str,
    lng: float | None,
    lat: float | None,
    now: datetime,
) -> None:
    errors: dict[str, list[str]] = {}
    if grid.level != Level.GRID:
        errors.setdefault("grid", []).append(_("Choose a grid."))
    if household is not None and (household.grid_id != grid.pk or not household.active):
        errors.setdefault("household", []).append(_("This household is not in the chosen grid."))
    if kind.has_outcome and outcome not in Outcome.values:
        errors.setdefault("outcome", []).append(_("Choose the outcome of the mediation."))
    if not kind.has_outcome and outcome:
        errors.setdefault("outcome", []).append(_("Only a mediation records an outcome."))
    if campaign is not None:
        if kind.code != KindCode.INSPECTION:
            errors.setdefault("campaign", []).append(_("Only an inspection round belongs to a campaign."))
        elif not campaign.is_open or not campaign.grids.filter(pk=grid.pk).exists():
            errors.setdefault("campaign", []).append(
                _("This campaign is closed or does not cover this grid.")
            )
        elif not campaign.starts_on <= timezone.localdate(at) <= campaign.ends_on:
            errors.setdefault("at", []).append(_("The round lies outside the campaign's period."))
    if at > now + timedelta(minutes=5):
        errors.setdefault("at", []).append(_("The time lies in the future."))
    elif at < now - LATE_LIMIT:
        errors.setdefault("at", []).append(_("Record the work within a week of doing it."))
    if (lng is None) != (lat is None):
        errors.setdefault("location", []).append(_("Give both longitude and latitude."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def log_record(
    *,
    actor: Actor,
    kind: str | LogKind,
    grid: Region,
    household: Household | None = None,
    campaign: Campaign | None = None,
    at: datetime | None = None,
    note: str = "",
    outcome: str = "",
    answers: dict[str, Any] | None = None,
    found_something: bool = False,
    lng: float | None = None,
    lat: float | None = None,
    photos: Any = (),
    client_key: str = "",
    now: datetime | None = None,
) -> LogEntry:
    """Record one piece of grid work. The same `client_key` from the same author (a save pressed
    twice, an API retry) returns the entry written the first time."""
    require_scope(actor, RECORD, grid)
    now = now or timezone.now()
    at = at or now
    author = user_or_none(actor)
    if client_key and author is not None:
        done = LogEntry.objects.filter(author=author, client_key=client_key).first()
        if done is not None:
            return done
    kind = _kind(kind, grid)
    if campaign is not None:  # its state now, not as the caller read it
        campaign = Campaign.objects.get(pk=campaign.pk)
    _validate(
        kind=kind,
        grid=grid,
        household=household,
        campaign=campaign,
        at=at,
        outcome=outcome,
        lng=lng,
        lat=lat,
        now=now,
    )
    cleaned = _check_answers(campaign, answers or {})
    checked_photos = photos_validate(photos)
    entry = LogEntry(
        kind=kind,
        code=kind.code,
        author=author,
        author_label=actor_label(actor)[:60],
        grid=grid,
        region_path=grid.path,
        household=household,
        campaign=campaign,
        at=at,
        note=(note or "").strip(),
        outcome=outcome,
        answers=cleaned,
        found_something=found_something or "issue" in cleaned.values(),
        lng=lng,
        lat=lat,
        recorded_at=now,
        client_key=client_key if author is not None else "",
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # the same key saved a moment ago by a concurrent request
        return LogEntry.objects.get(author=author, client_key=client_key)
    for upload, content_type in checked_photos:
        photo = LogPhoto(entry=entry, content_type=content_type, size=upload.size, uploaded_at=now)
        photo.file.save(upload.name, upload, save=False)
        photo.save()
    return entry


def may_correct(entry: LogEntry, actor: Actor, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return is_user(actor) and entry.author_id == actor.pk and now - entry.recorded_at <= CORRECTION_WINDOW


@transaction.atomic
def log_correct(
    *, actor: Actor, entry: LogEntry, changes: dict[str, Any], now: datetime | None = None
) -> LogEntry:
    """Its author corrects an entry within a day of recording it; the change is audited and kept in
    the entry's own history (`corrections`)."""
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    now = now or timezone.now()
    if not may_correct(entry, actor, now):
        raise PermissionDenied
    with audited_edit(
        LogEntry,
        entry.pk,
        actor=actor,
        fields=CORRECTABLE,
        region=lambda e: e.grid,
        related=("kind", "campaign"),
    ) as edit:
        row = edit.row
        edit.set(changes)
        _validate(
            kind=row.kind,
            grid=entry.grid,
            household=entry.household,
            campaign=row.campaign,
            at=row.at,
            outcome=row.outcome,
            lng=row.lng,
            lat=row.lat,
            now=now,
        )
        row.answers = _check_answers(row.campaign, row.answers or {})
        if "issue" in row.answers.values():
            row.found_something = True
        if row.case_id and not row.found_something:
            raise ValidationError({"found_something": [_("This finding is already a case.")]})
    if edit.changes:
        row = edit.row
        row.corrections = [
            *row.corrections,
            {
                "at": now.isoformat(),
                "by": actor_label(actor)[:60],
                "fields": {c.field: [c.old, c.new] for c in edit.changes},
            },
        ]
        LogEntry.objects.filter(pk=row.pk).update(corrections=row.corrections)
    return edit.row


def finding_description(entry: LogEntry) -> str:
    """The case's description: what the worker wrote, with where it was found (never typed twice)."""
    place = entry.household.short_address if entry.household is not None else entry.grid.name
    note = entry.note.strip()
    # stored text: in the installation's language, whatever the session's
    with translation.override(settings.LANGUAGE_CODE):
        head = _("Found during %(kind)s at %(place)s") % {"kind": entry.kind.name, "place": place}
        # the colon of the language written in: full-width in Chinese
        return _("%(where)s: %(what)s") % {"where": head, "what": note} if note else head


def log_finding_report(
    *,
    actor: Actor,
    entry: LogEntry,
    category: CaseCategory,
    kind: str = CaseKind.PATROL,
    now: datetime | None = None,
) -> Case:
    """A finding becomes exactly one case, carrying the grid, the point and the household's address.
    Pressed twice, it returns the case made the first time."""
    require_scope(actor, RECORD, entry.grid)
    with transaction.atomic():
        locked = (
            LogEntry.objects.select_for_update(of=("self",))
            .select_related("kind", "grid", "household")
            .get(pk=entry.pk)
        )
        if locked.case_id is not None:
            return Case.objects.get(pk=locked.case_id)
        common: dict[str, Any] = {
            "source": CaseSource.PATROL,
            "kind": kind,
            "category": category,
            "description": finding_description(locked),
            "address": locked.household.short_address if locked.household is not None else "",
            "reported_by": actor if is_user(actor) else None,
            "now": now,
        }
        case = None
        if locked.lng is not None and locked.lat is not None:
            found_grid, community = locate(lng=locked.lng, lat=locked.lat, community=locked.grid.community())
            if found_grid is not None and found_grid.pk == locked.grid_id:
                case, _token = case_intake(lng=locked.lng, lat=locked.lat, community=community, **common)
        if case is None:
            case, _token = case_intake_in_grid(grid=locked.grid, **common)
        LogEntry.objects.filter(pk=locked.pk).update(case=case, found_something=True)
        entry.case, entry.found_something = case, True
    return case


# --- campaigns ---------------------------------------------------------------------------------


def checklist_of(labels: list[str]) -> list[dict[str, str]]:
    items = [label.strip() for label in labels if label and label.strip()]
    return [{"key": f"i{n}", "label": label[:40]} for n, label in enumerate(items, start=1)]


@transaction.atomic
def campaign_start(
    *,
    actor: Actor,
    region: Region,
    title: str,
    checklist: list[str],
    grids: list[Region],
    starts_on: date,
    ends_on: date,
    description: str = "",
    now: datetime | None = None,
) -> Campaign:
    """A street or community starts a campaign (专项行动) over some of its grids."""
    require_scope(actor, MANAGE, region)
    errors: dict[str, list[str]] = {}
    if region.level not in {Level.STREET, Level.COMMUNITY}:
        errors.setdefault("region", []).append(_("A street or a community starts a campaign."))
    if not title.strip():
        errors.setdefault("title", []).append(_("Give the campaign a title."))
    items = checklist_of(checklist)
    if not items:
        errors.setdefault("checklist", []).append(_("List at least one item to check."))
    if not grids:
        errors.setdefault("grids", []).append(_("Choose the grids the campaign covers."))
    if any(g.level != Level.GRID or not g.path.startswith(region.path) for g in grids):
        errors.setdefault("grids", []).append(_("Choose grids inside the street or community."))
    if ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("The campaign ends before it starts."))
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        title=title.strip(),
        description=description.strip(),
        region=region,
        region_path=region.path,
        checklist=items,
        starts_on=starts_on,
        ends_on=ends_on,
        started_by=user_or_none(actor),
        created_at=now or timezone.now(),
    )
    campaign.grids.set(grids)
    return campaign


def campaign_close(*, actor: Actor, campaign: Campaign, now: datetime | None = None) -> Campaign:
    """Close a campaign: no more rounds against it. Audited."""
    require_scope(actor, MANAGE, campaign.region)
    with audited_edit(
        Campaign, campaign.pk, actor=actor, fields=("closed_at", "closed_by"), region=lambda c: c.region
    ) as edit:
        if edit.row.closed_at is not None:
            raise ValidationError(_("The campaign is already closed."))
        edit.row.closed_at = now or timezone.now()
        edit.row.closed_by = user_or_none(actor)
    return edit.row


def campaign_round_record(*, actor: Actor, campaign: Campaign, grid: Region, **entry: Any) -> LogEntry:
    """A round of a campaign: an inspection log entry with the checklist's answers."""
    return log_record(actor=actor, kind=KindCode.INSPECTION, campaign=campaign, grid=grid, **entry)


# --- configuration -----------------------------------------------------------------------------


def visit_interval_set(*, actor: Actor, region: Region, days: int) -> VisitInterval:
    """A street or community sets after how many days a tagged household is due a visit."""
    require_scope(actor, MANAGE, region)
    if region.level not in {Level.STREET, Level.COMMUNITY}:
        raise ValidationError({"region": [_("A street or a community sets the visit interval.")]})
    if not 1 <= int(days) <= 366:
        raise ValidationError({"days": [_("Enter a number of days from 1 to 366.")]})
    found, _created = VisitInterval.objects.get_or_create(region=region, defaults={"days": days})
    with audited_edit(
        VisitInterval, found.pk, actor=actor, fields=("days",), region=lambda v: v.region
    ) as edit:
        edit.row.days = int(days)
    return edit.row


# --- log kinds and checklists (configuration as data) ------------------------------------------

KIND_FIELDS = ("name", "household_usual", "has_outcome", "sort_order", "active")
CHECKLIST_FIELDS = ("name", "items", "sort_order", "active")


def _config_region(actor: Actor, region: Region) -> None:
    require_scope(actor, MANAGE, region)
    if region.level not in {Level.STREET, Level.COMMUNITY}:
        raise ValidationError({"region": [_("A street or a community keeps its own configuration.")]})


def _kind_validate(data: dict[str, Any]) -> None:
    if not (data.get("name") or "").strip():
        raise ValidationError({"name": [_("Enter the kind's name.")]})


def _created(actor: Actor, region: Region, target: str, model: str, created: str) -> None:
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=actor,
        region=region,
        target=target,
        detail={"model": model, "created": created},
    )


@transaction.atomic
def log_kind_create(
    *,
    actor: Actor,
    region: Region,
    code: str,
    name: str,
    household_usual: bool = False,
    has_outcome: bool = False,
    sort_order: int = 100,
    active: bool = True,
) -> LogKind:
    """A street's or community's own kind, or its own copy of a kind above it (the same code)."""
    _config_region(actor, region)
    _kind_validate({"name": name})
    code = code.strip().lower()
    if not code or not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 16:
        raise ValidationError(
            {"code": [_("A code is up to 16 lower-case letters, digits and _, such as visit.")]}
        )
    if LogKind.objects.filter(region=region, code=code).exists():
        raise ValidationError(
            {"code": [_("%(node)s already has a kind with this code.") % {"node": region.name}]}
        )
    kind = LogKind.objects.create(
        region=region,
        code=code,
        name=name.strip(),
        household_usual=household_usual,
        has_outcome=has_outcome,
        sort_order=sort_order,
        active=active,
        rules_version="",
    )
    _created(actor, region, f"logkind:{kind.pk}", "gridwork.LogKind", kind.code)
    return kind


def log_kind_update(*, actor: Actor, kind: LogKind, **changes: Any) -> LogKind:
    """Change a kind kept at a street or community (a default is changed by keeping a copy).
    Entries recorded with it keep their code and are not rewritten."""
    known_fields(changes, KIND_FIELDS)
    with audited_edit(LogKind, kind.pk, actor=actor, fields=KIND_FIELDS, region=lambda k: k.region) as edit:
        row = edit.row
        if row.region is None:
            if actor != SYSTEM:
                raise PermissionDenied
        else:
            require_scope(actor, MANAGE, row.region)
        edit.set(changes)
        _kind_validate({"name": row.name})
    return edit.row


def log_kind_override(*, actor: Actor, region: Region, kind: LogKind, **changes: Any) -> LogKind:
    """Change a kind as in force at `region`: the row kept there, or a new row there with its code."""
    if kind.region_id == region.pk:
        return log_kind_update(actor=actor, kind=kind, **changes)
    known_fields(changes, KIND_FIELDS)
    values = {k: getattr(kind, k) for k in KIND_FIELDS} | changes
    return log_kind_create(actor=actor, region=region, code=kind.code, **values)


def _checklist_validate(name: str, items: list[str]) -> list[str]:
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Enter the checklist's name.")]
    cleaned = [item.strip()[:40] for item in items if item and item.strip()]
    if not cleaned:
        errors["items"] = [_("List at least one item to check.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def checklist_create(
    *, actor: Actor, region: Region, name: str, items: list[str], sort_order: int = 100, active: bool = True
) -> ChecklistTemplate:
    """A street's or community's own checklist for its campaigns."""
    _config_region(actor, region)
    cleaned = _checklist_validate(name, items)
    found = ChecklistTemplate.objects.create(
        region=region, name=name.strip(), items=cleaned, sort_order=sort_order, active=active
    )
    _created(actor, region, f"checklist:{found.pk}", "gridwork.ChecklistTemplate", found.name)
    return found


def checklist_update(*, actor: Actor, checklist: ChecklistTemplate, **changes: Any) -> ChecklistTemplate:
    """Change a checklist kept at a street or community. Campaigns copied its items when they
    started: none is rewritten."""
    known_fields(changes, CHECKLIST_FIELDS)
    with audited_edit(
        ChecklistTemplate, checklist.pk, actor=actor, fields=CHECKLIST_FIELDS, region=lambda c: c.region
    ) as edit:
        row = edit.row
        if row.region is None:
            if actor != SYSTEM:
                raise PermissionDenied
        else:
            require_scope(actor, MANAGE, row.region)
        edit.set(changes)
        row.items = _checklist_validate(row.name, list(row.items))
    return edit.row


# --- a log kept elsewhere, written at once -----------------------------------------------------


@dataclass(frozen=True)
class LogRow:
    """One entry of a log kept elsewhere (a paper log, another system, the demo's year): who did the
    work (`author_label`, and the account when there is one), where, what and when."""

    code: str
    grid: Region
    at: datetime
    author_label: str
    author: Any = None
    household: Household | None = None
    campaign: Campaign | None = None
    note: str = ""
    outcome: str = ""
    answers: dict[str, str] = field(default_factory=dict)


def log_bulk_record(
    *, actor: Actor, rows: Iterable[LogRow], now: datetime | None = None, batch: int = 2000
) -> int:
    """Write many past entries at once (no week limit: the log of a past year), each checked like
    log_record — the grid, the kind in force there, the household's grid, the outcome, the
    campaign's grids, period and checklist — in one transaction: all or nothing. Returns the count.
    Findings are not made cases here: a case needs its own intake (log_finding_report)."""
    now = now or timezone.now()
    kinds: dict[tuple[str, str], LogKind | None] = {}
    campaign_grids: dict[int, set[int]] = {}
    written = 0
    with transaction.atomic():
        pending: list[LogEntry] = []
        checked: set[int] = set()
        for row in rows:
            if row.grid.pk not in checked:
                require_scope(actor, RECORD, row.grid)
                checked.add(row.grid.pk)
            key = (row.grid.path.rsplit(PATH_SEP, 2)[0], row.code)  # the kinds in force: the grid's parent's
            if key not in kinds:
                kinds[key] = kind_in_force(row.grid, row.code)
            kind = kinds[key]
            if kind is None:
                raise ValidationError({"kind": [_("Choose a kind of log entry.")]})
            if row.campaign is not None and row.campaign.pk not in campaign_grids:
                campaign_grids[row.campaign.pk] = set(row.campaign.grids.values_list("pk", flat=True))
            _bulk_check(row, kind, campaign_grids, now)
            answers = _check_answers(row.campaign, row.answers)
            pending.append(
                LogEntry(
                    kind=kind,
                    code=kind.code,
                    author=row.author,
                    author_label=row.author_label[:60],
                    grid=row.grid,
                    region_path=row.grid.path,
                    household=row.household,
                    campaign=row.campaign,
                    at=row.at,
                    note=row.note.strip(),
                    outcome=row.outcome,
                    answers=answers,
                    found_something="issue" in answers.values(),
                    recorded_at=min(row.at + timedelta(minutes=5), now),
                )
            )
            if len(pending) >= batch:
                LogEntry.objects.bulk_create(pending)
                written += len(pending)
                pending = []
        LogEntry.objects.bulk_create(pending)
        written += len(pending)
    return written


def _bulk_check(row: LogRow, kind: LogKind, campaign_grids: dict[int, set[int]], now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    if row.grid.level != Level.GRID:
        errors["grid"] = [_("Choose a grid.")]
    if row.household is not None and row.household.grid_id != row.grid.pk:
        errors["household"] = [_("This household is not in the chosen grid.")]
    if kind.has_outcome != (row.outcome in Outcome.values):
        errors["outcome"] = [_("Only a mediation records an outcome.")]
    if row.campaign is not None:
        day = timezone.localdate(row.at)
        if kind.code != KindCode.INSPECTION or row.grid.pk not in campaign_grids[row.campaign.pk]:
            errors["campaign"] = [_("This campaign is closed or does not cover this grid.")]
        elif not row.campaign.starts_on <= day <= row.campaign.ends_on:
            errors["at"] = [_("The round lies outside the campaign's period.")]
    if row.at > now + timedelta(minutes=5):
        errors["at"] = [_("The time lies in the future.")]
    if errors:
        raise ValidationError(errors)
