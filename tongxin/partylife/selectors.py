"""Reads for 三会一课 and its compliance, development files, mobile members and training."""

import calendar
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.cases.models import CalendarDay
from tongxin.core.periods import on_days, overlapping
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import ancestor_ids, subtree_range
from tongxin.lib.workclock import Calendar
from tongxin.members.rules import quarter_range
from tongxin.organisations.models import BRANCH_KINDS, OrgKind, PartyOrganisation
from tongxin.partylife import development
from tongxin.partylife.models import (
    DevelopmentFile,
    DevelopmentRuleSet,
    Frequency,
    MeetingRuleSet,
    MobileMember,
    PartyMeeting,
    PartyMeetingKind,
    ServiceWindow,
    TrainingAttendance,
    TrainingClass,
    TrainingSession,
)
from tongxin.people.models import Person
from tongxin.regions.models import Region

VIEW, MANAGE = Capability.PARTYLIFE_VIEW, Capability.PARTYLIFE_MANAGE

# 《中国共产党支部工作条例（试行）》(2018) 第十四条; 党课 quarterly as most places practise it
# (the regulation's floor is one lecture by the secretary a year: adopt a version to change it)
DEFAULT_FREQUENCIES = {
    PartyMeetingKind.BRANCH_COMMITTEE: Frequency.MONTHLY,
    PartyMeetingKind.GROUP: Frequency.MONTHLY,
    PartyMeetingKind.GENERAL_ASSEMBLY: Frequency.QUARTERLY,
    PartyMeetingKind.LECTURE: Frequency.QUARTERLY,
}
DEFAULT_MEETING_VERSION = "条例-2018"
DEFAULT_MEETING_SOURCE = (
    "《中国共产党支部工作条例（试行）》(2018) 第十四条; 党课 quarterly by common practice"
)


# ---- 三会一课 ---------------------------------------------------------------------------------


def party_meetings_visible(user: Any, *, capability: str = VIEW) -> QuerySet[PartyMeeting]:
    return PartyMeeting.objects.filter(
        scope_for(user, capability).q("organisation__region__path")
    ).select_related("organisation", "organisation__region")


def party_meetings_listed(
    user: Any,
    *,
    since: date | None = None,
    until: date | None = None,
    kind: str = "",
    organisation: int | None = None,
) -> QuerySet[PartyMeeting]:
    """The 三会一课 list (page, count, export, API): meetings held (held_on) in the period."""
    meetings = on_days(party_meetings_visible(user), "held_on", since, until)
    if kind:
        meetings = meetings.filter(kind=kind)
    if organisation is not None:
        meetings = meetings.filter(organisation_id=organisation)
    return meetings.order_by("-held_on", "-id")


def party_meeting_get(user: Any, pk: Any, *, capability: str = VIEW) -> PartyMeeting:
    return get_object_or_404(party_meetings_visible(user, capability=capability), pk=pk)


def party_meeting_organisations(user: Any, *, capability: str = MANAGE) -> QuerySet[PartyOrganisation]:
    """Branches and groups the user may record meetings for."""
    return PartyOrganisation.objects.filter(
        scope_for(user, capability).q("region__path"), kind__in=[*BRANCH_KINDS, OrgKind.GROUP]
    ).order_by("path")


@dataclass(frozen=True)
class MeetingRules:
    version: str
    source: str
    valid_from: date
    frequencies: dict[str, str]


DEFAULT_MEETING_RULES = MeetingRules(
    DEFAULT_MEETING_VERSION,
    DEFAULT_MEETING_SOURCE,
    date(2018, 10, 28),
    {str(k): str(v) for k, v in DEFAULT_FREQUENCIES.items()},
)


def meeting_rules_for(region: Region, *, on: date) -> MeetingRules:
    """The newest version valid on `on`, from the most specific region that adopted one."""
    rows = MeetingRuleSet.objects.filter(
        Q(region__isnull=True) | Q(region_id__in=ancestor_ids(region.path)), valid_from__lte=on
    ).select_related("region")
    return _rules_of(list(rows), region)


def meeting_rules_resolver(*, on: date) -> Callable[[Region], MeetingRules]:
    """meeting_rules_for of many regions with one query: every version valid on `on`, picked per region."""
    rows = list(MeetingRuleSet.objects.filter(valid_from__lte=on).select_related("region"))
    found: dict[str, MeetingRules] = {}

    def rules(region: Region) -> MeetingRules:
        if region.path not in found:
            above = set(ancestor_ids(region.path))
            adopted = [r for r in rows if r.region_id is None or r.region_id in above]
            found[region.path] = _rules_of(adopted, region)
        return found[region.path]

    return rules


def _rules_of(rows: list[MeetingRuleSet], region: Region) -> MeetingRules:
    if not rows:
        return DEFAULT_MEETING_RULES
    rows.sort(key=lambda r: (-(r.region.depth if r.region else -1), -r.valid_from.toordinal(), -r.pk))
    row = rows[0]
    return MeetingRules(
        row.version,
        row.source,
        row.valid_from,
        {
            PartyMeetingKind.BRANCH_COMMITTEE: row.branch_committee,
            PartyMeetingKind.GROUP: row.group,
            PartyMeetingKind.GENERAL_ASSEMBLY: row.general_assembly,
            PartyMeetingKind.LECTURE: row.lecture,
        },
    )


def meeting_rule_sets_visible(user: Any) -> QuerySet[MeetingRuleSet]:
    scope = scope_for(user, VIEW)
    above: set[int] = set()
    for root in scope.roots:
        above.update(ancestor_ids(root))
    return MeetingRuleSet.objects.filter(
        Q(region__isnull=True) | Q(region_id__in=above) | scope.q("region__path")
    ).select_related("region")


def _kind_periods(frequency: str, year: int) -> list[tuple[date, date]]:
    if frequency == Frequency.MONTHLY:
        return [quarter_month_range(year, m) for m in range(1, 13)]
    if frequency == Frequency.QUARTERLY:
        return [quarter_range(year, q) for q in range(1, 5)]
    return [(date(year, 1, 1), date(year, 12, 31))]


def quarter_month_range(year: int, month: int) -> tuple[date, date]:

    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class Cell:
    """One branch in one column (a month or a quarter): what was due, what was held."""

    first: date
    last: date
    due: dict[str, int] = field(default_factory=dict)
    met: dict[str, int] = field(default_factory=dict)
    state: str = "ok"  # ok, behind, pending, future, none

    @property
    def missing(self) -> list[str]:
        return [kind for kind, n in self.due.items() if self.met.get(kind, 0) < n]


@dataclass
class BranchRow:
    branch: PartyOrganisation
    cells: list[Cell]
    rules: MeetingRules
    groups: int

    @property
    def behind(self) -> int:
        return sum(1 for c in self.cells if c.state == "behind")


def compliance(
    user: Any, *, year: int, view: str = "quarter", region: Region | None = None, today: date | None = None
) -> list[BranchRow]:
    """Which branches held the meetings their frequencies ask for, by month or quarter.

    A period counts once it has ended; the current one is "pending" until it is met or over.
    """
    today = today or timezone.localdate()
    branches = PartyOrganisation.objects.filter(
        scope_for(user, VIEW).q("region__path"), kind__in=list(BRANCH_KINDS)
    )
    if region is not None:
        low, high = subtree_range(region.path)
        branches = branches.filter(region__path__gte=low, region__path__lt=high)
    branch_list = list(branches.select_related("region").order_by("path"))
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, parent in PartyOrganisation.objects.filter(
        kind=OrgKind.GROUP, parent_id__in=[b.pk for b in branch_list]
    ).values_list("pk", "parent_id"):
        groups[parent].append(pk)
    held: dict[tuple[int, str], set[date]] = defaultdict(set)
    org_ids = [b.pk for b in branch_list] + [g for gs in groups.values() for g in gs]
    for org, kind, held_on in PartyMeeting.objects.filter(
        organisation_id__in=org_ids, held_on__year=year
    ).values_list("organisation_id", "kind", "held_on"):
        held[(org, kind)].add(held_on)
    columns = (
        [quarter_month_range(year, m) for m in range(1, 13)]
        if view == "month"
        else [quarter_range(year, q) for q in range(1, 5)]
    )
    rules_of = meeting_rules_resolver(on=min(today, date(year, 12, 31)))
    rows = []
    for branch in branch_list:
        rules = rules_of(branch.region)
        cells = [Cell(first, last) for first, last in columns]
        for kind, frequency in rules.frequencies.items():
            if kind == PartyMeetingKind.GROUP:
                owners = groups.get(branch.pk, [])
                if not owners:
                    continue  # no 党小组: nothing due
            else:
                owners = [branch.pk]
            for first, last in _kind_periods(frequency, year):
                cell = next(c for c in cells if c.first <= last <= c.last)
                cell.due[kind] = cell.due.get(kind, 0) + 1
                if all(any(first <= d <= last for d in held.get((owner, kind), ())) for owner in owners):
                    cell.met[kind] = cell.met.get(kind, 0) + 1
        for cell in cells:
            if not cell.due:
                cell.state = "none"
            elif cell.first > today:
                cell.state = "future"
            elif not cell.missing:
                cell.state = "ok"
            elif cell.last >= today:
                cell.state = "pending"
            else:
                cell.state = "behind"
        rows.append(BranchRow(branch=branch, cells=cells, rules=rules, groups=len(groups.get(branch.pk, []))))
    return rows


# ---- 发展党员 ---------------------------------------------------------------------------------


def development_rules_current(
    *, on: date | None = None
) -> tuple[DevelopmentRuleSet | None, development.DevelopmentRules]:
    on = on or timezone.localdate()
    row = DevelopmentRuleSet.objects.filter(valid_from__lte=on).order_by("-valid_from", "-id").first()
    if row is None:
        return None, development.DEFAULT_RULES
    return row, development.DevelopmentRules.from_params(
        version=row.version, source=row.source, valid_from=row.valid_from, params=row.params
    )


def development_rules_of(file: DevelopmentFile) -> development.DevelopmentRules:
    if file.rules is None:
        return development.DEFAULT_RULES
    row = file.rules
    return development.DevelopmentRules.from_params(
        version=row.version, source=row.source, valid_from=row.valid_from, params=row.params
    )


def files_visible(user: Any, *, capability: str = VIEW) -> QuerySet[DevelopmentFile]:
    return DevelopmentFile.objects.filter(
        scope_for(user, capability).q("branch__region__path")
    ).select_related("person", "branch", "branch__region")


def files_listed(
    user: Any,
    *,
    since: date | None = None,
    until: date | None = None,
    show: str = "",
    stage: str = "",
    q: str = "",
    today: date | None = None,
) -> QuerySet[DevelopmentFile]:
    """The development files list (page, count, export, API). The period applies to the day the
    file starts: its first step (the application, normally), or the day it was opened if it has
    none. `show`: "" open files, "broken", "due" (a limit within 14 days) or "closed"."""
    files = files_visible(user)
    if since is not None or until is not None:
        files = on_days(
            files.annotate(started_on=Coalesce(Min("steps__on"), TruncDate("created_at"))),
            "started_on",
            since,
            until,
        )
    if show == "closed":
        files = files.filter(closed=True)
    else:
        files = files.filter(closed=False)
        if show == "broken":
            files = files.filter(broken=True)
        elif show == "due":
            soon = (today or timezone.localdate()) + timedelta(days=14)
            files = files.filter(next_deadline__isnull=False, next_deadline__lte=soon)
    if stage:
        files = files.filter(stage=stage)
    if q:
        files = files.filter(person__name__icontains=q.strip())
    return files.order_by("next_deadline", "person__name", "pk")


def file_get(user: Any, pk: Any, *, capability: str = VIEW) -> DevelopmentFile:
    return get_object_or_404(files_visible(user, capability=capability), pk=pk)


def own_files(user: Any) -> QuerySet[DevelopmentFile]:
    if not getattr(user, "person_id", None):
        return DevelopmentFile.objects.none()
    return DevelopmentFile.objects.filter(person_id=user.person_id).select_related("branch")


def calendar_between(first: date, last: date) -> Calendar:
    """The working-day calendar (holidays and make-up days are data in cases.CalendarDay)."""

    days = CalendarDay.objects.filter(day__gte=first, day__lte=last).values_list("day", "kind")
    return Calendar(
        holidays=frozenset(d for d, k in days if k == CalendarDay.Kind.HOLIDAY),
        extra_workdays=frozenset(d for d, k in days if k == CalendarDay.Kind.WORKDAY),
    )


def training_of(
    person: Person, *, since: date | None = None, until: date | None = None
) -> development.Training:
    """Days and class hours the person attended, optionally within [since, until]."""
    rows = TrainingAttendance.objects.filter(person=person)
    if since is not None:
        rows = rows.filter(session__on__gte=since)
    if until is not None:
        rows = rows.filter(session__on__lte=until)
    totals = rows.aggregate(hours=Sum("session__hours"), days=Count("session__on", distinct=True))
    return development.Training(days=totals["days"] or 0, hours=Decimal(totals["hours"] or 0))


def evaluate_file(file: DevelopmentFile, *, today: date | None = None) -> development.Evaluation:
    today = today or timezone.localdate()
    steps = [development.Step(s.kind, s.on, s.detail or {}) for s in file.steps.all()]
    target = next((s for s in steps if s.kind == "target"), None)
    meeting = next((s for s in steps if s.kind == "branch_meeting"), None)
    training = development.Training()
    if target is not None:
        attended = training_of(file.person, since=target.on, until=meeting.on if meeting else None)
        manual_days = sum(int(s.detail.get("days") or 0) for s in steps if s.kind == "training")
        manual_hours = sum(Decimal(str(s.detail.get("hours") or 0)) for s in steps if s.kind == "training")
        training = development.Training(attended.days + manual_days, attended.hours + manual_hours)
    first = min((s.on for s in steps), default=today)
    return development.evaluate(
        steps,
        birth_date=file.person.birth_date,
        rules=development_rules_of(file),
        today=today,
        calendar=calendar_between(first, max(today, first) + timedelta(days=400)),
        training=training,
    )


def development_counts(user: Any) -> dict[str, int]:
    files = files_visible(user).filter(closed=False)
    return {
        "open": files.count(),
        "broken": files.filter(broken=True).count(),
        "due": files.filter(
            next_deadline__isnull=False, next_deadline__lte=timezone.localdate() + timedelta(days=14)
        ).count(),
    }


# ---- 流动党员 ---------------------------------------------------------------------------------


def mobile_members_visible(user: Any, *, capability: str = VIEW) -> QuerySet[MobileMember]:
    """Registered by a home branch in the user's area, or looked after by a window there."""
    scope = scope_for(user, capability)
    return MobileMember.objects.filter(
        scope.q("branch__region__path") | scope.q("window__region__path")
    ).select_related("person", "branch", "window", "current_region")


def mobile_members_listed(
    user: Any, *, since: date | None = None, until: date | None = None, returned: bool = False
) -> QuerySet[MobileMember]:
    """The mobile members list (page, count, export, API). With a period: everyone away at some
    time in it ([left_on, returned_on] overlaps it), back since or not; without one, those away
    now, and with `returned` those who came back too."""
    records = mobile_members_visible(user)
    if since is not None or until is not None:
        records = overlapping(records, "left_on", "returned_on", since, until)
    elif not returned:
        records = records.filter(returned_on__isnull=True)
    return records.select_related("window__region").order_by("-left_on", "pk")


def mobile_member_get(user: Any, pk: Any, *, capability: str = VIEW) -> MobileMember:
    return get_object_or_404(mobile_members_visible(user, capability=capability), pk=pk)


def windows_visible(user: Any, *, capability: str = VIEW) -> QuerySet[ServiceWindow]:
    return ServiceWindow.objects.filter(scope_for(user, capability).q("region__path")).select_related(
        "region"
    )


def window_get(user: Any, pk: Any, *, capability: str = VIEW) -> ServiceWindow:
    return get_object_or_404(windows_visible(user, capability=capability), pk=pk)


def window_choices(user: Any) -> QuerySet[ServiceWindow]:
    """Any open window may look after a member (they are often in another county)."""
    return ServiceWindow.objects.filter(active=True).select_related("region").order_by("name")


# ---- training ---------------------------------------------------------------------------------


def classes_visible(user: Any, *, capability: str = VIEW) -> QuerySet[TrainingClass]:
    return TrainingClass.objects.filter(
        scope_for(user, capability).q("organisation__region__path")
    ).select_related("organisation")


def classes_listed(
    user: Any, *, since: date | None = None, until: date | None = None, kind: str = ""
) -> QuerySet[TrainingClass]:
    """The training classes list (page, count, export, API): classes whose dates [starts_on,
    ends_on] share a day with the period; `kind` is who the class is for."""
    classes = overlapping(classes_visible(user), "starts_on", "ends_on", since, until)
    if kind:
        classes = classes.filter(purpose=kind)
    return classes.order_by("-starts_on", "pk")


def with_class_figures(classes: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    """Sessions, class hours and participants of each class (for the export)."""

    hours = (
        TrainingSession.objects.filter(training=OuterRef("pk"))
        .values("training")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return classes.annotate(
        session_count=Count("sessions", distinct=True),
        class_hours=Subquery(hours),
        participant_count=Count("participants", distinct=True),
    )


def class_get(user: Any, pk: Any, *, capability: str = VIEW) -> TrainingClass:
    return get_object_or_404(classes_visible(user, capability=capability), pk=pk)


def class_hours(training: TrainingClass) -> list[tuple[Person, int, Decimal]]:
    """Each participant with the days and class hours they attended in the class."""
    rows = (
        TrainingAttendance.objects.filter(session__training=training)
        .values("person_id")
        .annotate(days=Count("session__on", distinct=True), hours=Sum("session__hours"))
    )
    totals = {r["person_id"]: (r["days"], Decimal(r["hours"] or 0)) for r in rows}
    return [
        (p, *totals.get(p.pk, (0, Decimal(0))))
        for p in training.participants.select_related("region").order_by("name", "pk")
    ]
