"""The annual duty check (年度履责): checked from the records, never remembered.

For a year, within what the user reaches:
  - each active partner unit has completed (delivered) ≥ N 实事 that year (N from the rules);
  - each Party secretary of a partner unit's organisation, or of an alliance's own organisation,
    has claimed ≥ M 书记项目 that year;
  - each active alliance has held as many joint meetings as its interval asks for.

Fairness for late starters (the stated rule): a unit that joined co-building — or a secretary who
took office — after the cut-off day of the year (1 July by default, CoBuildingRules) is "not due"
for that year; if they delivered anyway it counts as done. An alliance is expected to meet once in
each period (of its interval, counted from 1 January) that began on or after its founding and has
ended by the day of the check; so a quarterly alliance founded on 15 May owes the Q3 and Q4
meetings, and in the middle of a year only the periods already over count. Two meetings in one
quarter do not make up for a quarter without one.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.lib.tree import subtree_range
from tongxin.lists.models import Project, ProjectKind, ProjectStatus
from tongxin.lists.selectors import year_bounds
from tongxin.meetings.selectors import alliance_rhythms
from tongxin.partners.models import AllianceMember, Pairing, PartnerUnit
from tongxin.partners.selectors import alliances_visible, reach_for, rules_current, units_visible
from tongxin.people.models import Position, PositionKind
from tongxin.regions.models import Level, Region

DONE, NOT_YET, MISSED, NOT_DUE = "done", "not_yet", "missed", "not_due"
STATUS_LABELS = {
    DONE: _("Done"),
    NOT_YET: _("Not yet"),
    MISSED: _("Missed"),
    NOT_DUE: _("Not due this year (joined late)"),
}
BEHIND = {NOT_YET, MISSED}


@dataclass
class UnitDuty:
    unit: PartnerUnit
    joined: date
    done: int
    required: int
    status: str
    areas: set[str] = field(default_factory=set)  # region paths the unit is paired or allied with
    home: str = ""  # the path of the region where the unit is registered

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.status]


@dataclass
class SecretaryDuty:
    person: Any
    organisation: Any
    took_office: date
    claimed: int
    required: int
    status: str
    areas: set[str] = field(default_factory=set)

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.status]


@dataclass
class AllianceDuty:
    alliance: Any
    expected: int  # periods over that needed a meeting
    met: int  # of them, with a meeting held
    held: int  # meetings held in the year
    status: str
    areas: set[str] = field(default_factory=set)

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.status]

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.met)


@dataclass
class AreaSummary:
    region: Region
    units: int = 0
    units_behind: int = 0
    secretaries: int = 0
    secretaries_behind: int = 0
    alliances: int = 0
    alliances_behind: int = 0

    @property
    def behind(self) -> int:
        return self.units_behind + self.secretaries_behind + self.alliances_behind


@dataclass
class DutyReport:
    year: int
    as_of: date
    finished: bool  # the year is over: "not yet" has become "missed"
    rules_version: str
    units: list[UnitDuty]
    secretaries: list[SecretaryDuty]
    alliances: list[AllianceDuty]
    areas: list[AreaSummary]

    @property
    def units_behind(self) -> list[UnitDuty]:
        return [u for u in self.units if u.status in BEHIND]

    @property
    def secretaries_behind(self) -> list[SecretaryDuty]:
        return [s for s in self.secretaries if s.status in BEHIND]

    @property
    def alliances_behind(self) -> list[AllianceDuty]:
        return [a for a in self.alliances if a.status in BEHIND]


def _status(done: int, required: int, *, due: bool, finished: bool) -> str:
    if done >= required:
        return DONE
    if not due:
        return NOT_DUE
    return MISSED if finished else NOT_YET


def _in_area(row: Any, area: Region | None) -> bool:
    """Whether a row concerns `area`: the unit (or organisation) is paired, allied or registered
    inside it. A street-wide pairing counts for the street, not for each of its communities."""
    if area is None:
        return True
    low, _high = subtree_range(area.path)
    home = getattr(row, "home", "")
    return any(p.startswith(low) for p in row.areas) or bool(home and home.startswith(low))


def duty_check(user: Any, *, year: int, area: Region | None = None, today: date | None = None) -> DutyReport:
    """Who meets the annual duties in `year` and who is behind, within the user's reach (and `area`)."""
    rules = rules_current()
    today = today or timezone.localdate()
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    as_of = min(today, end)
    finished = today >= end
    cutoff = date(year, rules.due_if_joined_by_month, rules.due_if_joined_by_day)
    year_start, year_end = year_bounds(year)

    # units: where each works (registered, paired during the year, seated on an alliance)
    units = [u for u in units_visible(user).filter(active=True) if u.joined is None or u.joined < end]
    unit_ids = [u.pk for u in units]
    areas: dict[int, set[str]] = defaultdict(set)
    for unit_id, path in (
        Pairing.objects.filter(unit_id__in=unit_ids, started_on__lt=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .values_list("unit_id", "region__path")
    ):
        areas[unit_id].add(path)
    for unit_id, path in (
        AllianceMember.objects.filter(unit_id__in=unit_ids, joined_on__lt=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .values_list("unit_id", "alliance__region__path")
    ):
        areas[unit_id].add(path)
    delivered = dict(
        Project.objects.filter(
            owner_unit_id__in=unit_ids,
            kind=ProjectKind.PRACTICAL,
            status=ProjectStatus.CLOSED,
            closed_at__gte=year_start,
            closed_at__lt=year_end,
        )
        .values("owner_unit_id")
        .annotate(n=Count("pk"))
        .values_list("owner_unit_id", "n")
    )
    unit_rows: list[UnitDuty] = []
    for u in units:
        joined = u.joined or start
        n = delivered.get(u.pk, 0)
        row = UnitDuty(
            unit=u,
            joined=joined,
            done=n,
            required=rules.practical_per_unit,
            status=_status(n, rules.practical_per_unit, due=joined <= cutoff, finished=finished),
            areas=areas[u.pk],
            home=u.region.path,
        )
        if _in_area(row, area):
            unit_rows.append(row)

    # alliances and their meetings
    alliances = [a for a in alliances_visible(user).filter(active=True, founded_on__lt=end)]
    alliance_rows: list[AllianceDuty] = []
    for a, rhythm in zip(alliances, alliance_rhythms(alliances, year=year, as_of=as_of), strict=True):
        alliance_row = AllianceDuty(
            alliance=a,
            expected=rhythm.expected,
            met=rhythm.met,
            held=rhythm.held,
            status=DONE if not rhythm.behind else (MISSED if finished else NOT_YET),
            areas={a.region.path},
        )
        if _in_area(alliance_row, area):
            alliance_rows.append(alliance_row)

    # secretaries of the organisations taking part: units' and alliances' own
    org_areas: dict[int, set[str]] = defaultdict(set)
    for u in units:
        if u.party_organisation_id:
            org_areas[u.party_organisation_id] |= areas[u.pk]
    for a in alliances:
        if a.organisation_id:
            org_areas[a.organisation_id].add(a.region.path)
    day = date(year, 12, 31) if finished else as_of
    posts = (
        Position.objects.filter(
            organisation_id__in=list(org_areas), kind=PositionKind.SECRETARY, starts_on__lte=day
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("person", "organisation")
        .order_by("organisation__name", "starts_on")
    )
    claimed = dict(
        Project.objects.filter(
            kind=ProjectKind.SECRETARY,
            secretary_id__in=[p.person_id for p in posts],
            claimed_at__gte=year_start,
            claimed_at__lt=year_end,
        )
        .exclude(status=ProjectStatus.CANCELLED)
        .values("secretary_id")
        .annotate(n=Count("pk"))
        .values_list("secretary_id", "n")
    )
    secretary_rows: list[SecretaryDuty] = []
    seen: set[int] = set()
    for post in posts:
        if post.person_id in seen:
            continue  # one person heading two organisations owes one 书记项目
        seen.add(post.person_id)
        n = claimed.get(post.person_id, 0)
        secretary_row = SecretaryDuty(
            person=post.person,
            organisation=post.organisation,
            took_office=post.starts_on,
            claimed=n,
            required=rules.secretary_projects,
            status=_status(n, rules.secretary_projects, due=post.starts_on <= cutoff, finished=finished),
            areas=org_areas[post.organisation_id],  # type: ignore[index]
        )
        if _in_area(secretary_row, area):
            secretary_rows.append(secretary_row)

    return DutyReport(
        year=year,
        as_of=as_of,
        finished=finished,
        rules_version=rules.version,
        units=sorted(unit_rows, key=lambda r: (r.status not in BEHIND, r.unit.name)),
        secretaries=sorted(secretary_rows, key=lambda r: (r.status not in BEHIND, r.person.name)),
        alliances=sorted(alliance_rows, key=lambda r: (r.status not in BEHIND, r.alliance.name)),
        areas=_area_summaries(user, area, unit_rows, secretary_rows, alliance_rows),
    )


def _area_summaries(
    user: Any,
    area: Region | None,
    units: list[UnitDuty],
    secretaries: list[SecretaryDuty],
    alliances: list[AllianceDuty],
) -> list[AreaSummary]:
    """One row per street and community (inside `area`, or the user's reach) with anything to judge."""
    paths: set[str] = set()
    rows: list[Any] = [*units, *secretaries, *alliances]
    for row in rows:
        paths |= row.areas | ({row.home} if getattr(row, "home", "") else set())
    if not paths:
        return []
    ids = {int(i) for p in paths for i in p.strip("/").split("/") if i}
    candidates = Region.objects.filter(pk__in=ids, level__in=[Level.STREET, Level.COMMUNITY]).order_by("path")
    reach = reach_for(user)
    summaries = []
    for region in candidates:
        if area is not None and not region.path.startswith(area.path):
            continue
        if not (reach.scope.contains(region.path) or reach.paired.contains(region.path)):
            continue
        summary = AreaSummary(region=region)
        for u in units:
            if _in_area(u, region):
                summary.units += 1
                summary.units_behind += u.status in BEHIND
        for s in secretaries:
            if _in_area(s, region):
                summary.secretaries += 1
                summary.secretaries_behind += s.status in BEHIND
        for a in alliances:
            if _in_area(a, region):
                summary.alliances += 1
                summary.alliances_behind += a.status in BEHIND
        summaries.append(summary)
    return summaries
