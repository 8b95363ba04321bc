"""Reads for 双报到, service records, cards and the annual check, always through a scope.

Three kinds of reader: officials (members.view over the member's home community), the member
(their own record) and the employer's Party organisation (its own members' cards only). An
employer's officials are the accounts listed as liaisons of a partner unit whose Party
organisation it is, and the accounts whose person currently holds a committee position
(书记, 副书记, 委员) in that organisation.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.core.periods import on_days
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import ancestor_ids, subtree_range
from tongxin.members.models import MemberReport, MemberRuleSet, ServiceEntry, ServicePost, UnitReport
from tongxin.members.rules import DEFAULT_RULES, MemberRules, from_row
from tongxin.organisations.models import BRANCH_KINDS, PartyOrganisation
from tongxin.partners.models import PartnerUnit
from tongxin.people.models import Person, PositionKind
from tongxin.regions.models import Level, Region

VIEW = Capability.MEMBERS_VIEW
EMPLOYER_POSITIONS = (PositionKind.SECRETARY, PositionKind.DEPUTY_SECRETARY, PositionKind.COMMITTEE_MEMBER)


# ---- rules ------------------------------------------------------------------------------------


class RulesBook:
    """The rule versions that apply in a region, loaded once; `at(day)` picks the one in force.

    The most specific region that has a version valid on the day wins; within it, the newest.
    """

    def __init__(self, region: Region | None, *, loaded: list[MemberRuleSet] | None = None) -> None:
        ids = ancestor_ids(region.path) if region is not None and region.path else []
        if loaded is None:
            loaded = _rule_sets_above(ids)
        rows = [r for r in loaded if r.region_id is None or r.region_id in ids]
        rows.sort(key=lambda r: (-(r.region.depth if r.region else -1), -r.valid_from.toordinal(), -r.pk))
        self.rules = [from_row(r) for r in rows]

    def at(self, day: date) -> MemberRules:
        return next((r for r in self.rules if r.valid_from <= day), DEFAULT_RULES)


def _rule_sets_above(region_ids: Iterable[int]) -> list[MemberRuleSet]:
    """The national versions and those of the given regions."""
    return list(
        MemberRuleSet.objects.filter(
            Q(region__isnull=True) | Q(region_id__in=list(region_ids))
        ).select_related("region")
    )


def member_rules_for(region: Region | None, *, on: date | None = None) -> MemberRules:
    return RulesBook(region).at(on or timezone.localdate())


def rule_sets_visible(user: Any) -> QuerySet[MemberRuleSet]:
    """National defaults and the versions adopted inside or above the user's area."""
    scope = scope_for(user, VIEW)
    above: set[int] = set()
    for root in scope.roots:
        above.update(ancestor_ids(root))
    return MemberRuleSet.objects.filter(
        Q(region__isnull=True) | Q(region_id__in=above) | scope.q("region__path")
    ).select_related("region")


# ---- homes and posts --------------------------------------------------------------------------


def home_community(person: Person) -> Region | None:
    return person.region.community()


def home_grid_branch(person: Person) -> PartyOrganisation | None:
    """The branch nearest the person's home: a grid branch on their grid (or the grid above it),
    else a branch of their community."""
    ids = ancestor_ids(person.region.path)
    return (
        PartyOrganisation.objects.filter(region_id__in=ids, kind__in=list(BRANCH_KINDS))
        .exclude(region__level__in=[Level.CITY, Level.COUNTY, Level.STREET])
        .select_related("region")
        .order_by("-region__depth", "kind", "pk")
        .first()
    )


def service_posts_of(community: Region, *, active_only: bool = True) -> QuerySet[ServicePost]:
    posts = ServicePost.objects.filter(community=community)
    if active_only:
        posts = posts.filter(active=True)
    return posts.annotate(taken=Count("reports", filter=Q(reports__ended_on__isnull=True))).order_by(
        "kind", "name"
    )


def posts_visible(user: Any, *, capability: str = VIEW) -> QuerySet[ServicePost]:
    return ServicePost.objects.filter(scope_for(user, capability).q("community__path")).select_related(
        "community"
    )


def post_get(user: Any, pk: Any, *, capability: str = VIEW) -> ServicePost:
    return get_object_or_404(posts_visible(user, capability=capability), pk=pk)


def employer_unit_choices(person: Person) -> QuerySet[Any]:
    """Partner units of the member's county that have a Party organisation (their possible employers)."""

    ids = ancestor_ids(person.region.path)
    county = Region.objects.filter(pk__in=ids, level=Level.COUNTY).first()
    units = PartnerUnit.objects.filter(active=True, party_organisation__isnull=False)
    if county is not None:
        low, high = subtree_range(county.path)
        units = units.filter(region__path__gte=low, region__path__lt=high)
    return units.select_related("party_organisation").order_by("name")


# ---- reports ----------------------------------------------------------------------------------


def _reports() -> QuerySet[MemberReport]:
    return MemberReport.objects.select_related(
        "person", "community", "grid_branch", "service_post", "employer_unit", "employer_organisation"
    )


def reports_visible(user: Any, *, capability: str = VIEW) -> QuerySet[MemberReport]:
    """Reports to a community inside the user's scope."""
    return _reports().filter(scope_for(user, capability).q("community__path"))


def report_get(user: Any, pk: Any, *, capability: str = VIEW) -> MemberReport:
    return get_object_or_404(reports_visible(user, capability=capability), pk=pk)


def active_report_of(person: Person | None) -> MemberReport | None:
    if person is None:
        return None
    return _reports().filter(person=person, ended_on__isnull=True).first()


def reports_due(
    queryset: QuerySet[MemberReport], *, today: date, warn_days: int = 14
) -> QuerySet[MemberReport]:
    """Active reports whose re-report is due within `warn_days` or overdue."""
    from datetime import timedelta

    return queryset.filter(ended_on__isnull=True, next_due_on__lte=today + timedelta(days=warn_days))


def employer_organisations_of(user: Any) -> list[PartyOrganisation]:
    """The Party organisations whose members' cards the user may read as their employer."""
    if not getattr(user, "is_authenticated", False):
        return []

    today = timezone.localdate()
    org_ids = set(
        PartnerUnit.objects.filter(liaisons=user, active=True, party_organisation__isnull=False).values_list(
            "party_organisation_id", flat=True
        )
    )
    if user.person_id:
        org_ids.update(
            user.person.positions.filter(
                kind__in=EMPLOYER_POSITIONS, organisation__isnull=False, starts_on__lte=today
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .values_list("organisation_id", flat=True)
        )
    return list(PartyOrganisation.objects.filter(pk__in=org_ids).order_by("path"))


def _within_organisations(orgs: list[PartyOrganisation]) -> Q:
    """The member's own employer organisation only: a parent committee does not read the cards of
    the organisations under it (a town's committee would otherwise reach every employer below it)."""
    return Q(employer_organisation_id__in=[org.pk for org in orgs])


def reports_for_employer(user: Any, orgs: list[PartyOrganisation] | None = None) -> QuerySet[MemberReport]:
    """Reports of members whose employer's Party organisation is one the user speaks for."""
    orgs = employer_organisations_of(user) if orgs is None else orgs
    if not orgs:
        return MemberReport.objects.none()
    return _reports().filter(_within_organisations(orgs))


def card_reports(user: Any) -> QuerySet[MemberReport]:
    """Every report whose card the user may read: in their members.view scope, as the employer,
    or their own."""
    condition = scope_for(user, VIEW).q("community__path") | _within_organisations(
        employer_organisations_of(user)
    )
    if getattr(user, "person_id", None):
        condition |= Q(person_id=user.person_id)
    return _reports().filter(condition)


def card_report_get(user: Any, pk: Any) -> MemberReport:
    return get_object_or_404(card_reports(user), pk=pk)


def may_read_record(user: Any, person: Person) -> bool:
    """Own record, members.view over the home region, or the employer of a report of theirs."""
    if getattr(user, "person_id", None) == person.pk:
        return True
    if scope_for(user, VIEW).contains(person.region.path):
        return True
    return card_reports(user).filter(person=person).exists()


# ---- unit reports -----------------------------------------------------------------------------


def unit_reports_visible(user: Any, *, capability: str = VIEW) -> QuerySet[UnitReport]:
    return UnitReport.objects.filter(scope_for(user, capability).q("community__path")).select_related(
        "unit", "community", "unit__party_organisation"
    )


def unit_report_get(user: Any, pk: Any, *, capability: str = VIEW) -> UnitReport:
    return get_object_or_404(unit_reports_visible(user, capability=capability), pk=pk)


def units_not_reported(user: Any, region: Region | None = None, *, on: date | None = None) -> QuerySet[Any]:
    """Active partner units sitting in the user's area with no current report to a community."""

    on = on or timezone.localdate()
    units = PartnerUnit.objects.filter(scope_for(user, VIEW).q("region__path"), active=True)
    if region is not None:
        low, high = subtree_range(region.path)
        units = units.filter(region__path__gte=low, region__path__lt=high)
    current = UnitReport.objects.filter(ended_on__isnull=True, reported_on__lte=on, next_due_on__gte=on)
    return units.exclude(pk__in=current.values("unit_id")).select_related("region").order_by("name")


# ---- the service record -----------------------------------------------------------------------


def entries_of(
    person: Person, *, first: date | None = None, last: date | None = None
) -> QuerySet[ServiceEntry]:
    entries = ServiceEntry.objects.filter(person=person).select_related("region")
    if first is not None:
        entries = entries.filter(on__gte=first)
    if last is not None:
        entries = entries.filter(on__lte=last)
    return entries.order_by("-on", "-id")


def service_entries_visible(user: Any) -> QuerySet[ServiceEntry]:
    """Verified services of members living in the user's members.view area, or reported to a
    community there (the same people whose records the user may read as an official)."""
    scope = scope_for(user, VIEW)
    reported = MemberReport.objects.filter(scope.q("community__path"), person_id=OuterRef("person_id"))
    return ServiceEntry.objects.filter(scope.q("person__region__path") | Q(Exists(reported))).select_related(
        "person", "region"
    )


def service_entries_listed(
    user: Any, *, since: date | None = None, until: date | None = None, kind: str = ""
) -> QuerySet[ServiceEntry]:
    """The service records list (page, count, export, API): services done on a day in the period;
    `kind` is where the service comes from (activity, order, project)."""
    entries = on_days(service_entries_visible(user), "on", since, until)
    if kind:
        entries = entries.filter(source=kind)
    return entries.order_by("-on", "-id")


@dataclass
class Totals:
    count: int = 0
    hours: Decimal = Decimal(0)
    points: Decimal = Decimal(0)
    by_source: dict[str, int] = field(default_factory=dict)


def totals_of(entries: list[ServiceEntry], book: RulesBook) -> Totals:
    """Count, hours and points, each entry scored by the rules in force on its date."""
    totals = Totals()
    for entry in entries:
        totals.count += 1
        totals.hours += entry.hours
        totals.points += book.at(entry.on).points_for(entry.source, entry.hours)
        totals.by_source[entry.source] = totals.by_source.get(entry.source, 0) + 1
    return totals


@dataclass
class Month:
    """A month heading of the service record: the services shown under it, and the whole
    month's count and hours."""

    first: date
    entries: list[ServiceEntry]
    count: int
    hours: Decimal


def months_of(shown: list[ServiceEntry], every: list[ServiceEntry]) -> list[Month]:
    """Group `shown` (a page, newest first) by month; totals come from `every` entry of the period."""
    totals: dict[tuple[int, int], tuple[int, Decimal]] = {}
    for entry in every:
        key = (entry.on.year, entry.on.month)
        n, h = totals.get(key, (0, Decimal(0)))
        totals[key] = (n + 1, h + entry.hours)
    months: list[Month] = []
    for entry in shown:
        key = (entry.on.year, entry.on.month)
        if not months or (months[-1].first.year, months[-1].first.month) != key:
            n, h = totals.get(key, (0, Decimal(0)))
            months.append(Month(date(*key, 1), [], n, h))
        months[-1].entries.append(entry)
    return months


@dataclass
class Card:
    """A member's service record card for a period (quarter or year), for their employer."""

    report: MemberReport
    label: str
    first: date
    last: date
    entries: list[ServiceEntry]
    totals: Totals
    rules: MemberRules
    annual: bool

    @property
    def show_points(self) -> bool:
        """Points and stars are shown only where the rules in force turn rankings on."""
        return self.rules.rankings_enabled

    @property
    def points(self) -> Decimal | None:
        return self.totals.points if self.show_points else None

    @property
    def stars(self) -> int | None:
        return self.rules.stars_for(self.totals.points) if self.annual and self.show_points else None

    @property
    def meets_minimum(self) -> bool | None:
        return self.totals.count >= self.rules.min_services_per_year if self.annual else None


def cards_for(reports: list[MemberReport], *, label: str, first: date, last: date) -> list[Card]:
    """Cards for the reports, with three queries for any number of members and communities."""
    by_person: dict[int, list[ServiceEntry]] = defaultdict(list)
    person_ids = [r.person_id for r in reports]
    for entry in (
        ServiceEntry.objects.filter(person_id__in=person_ids, on__gte=first, on__lte=last)
        .select_related("region")
        .order_by("on", "id")
    ):
        by_person[entry.person_id].append(entry)
    communities = {r.community_id: r.community for r in reports}
    # one read of the rule versions for every community's book (a county has many communities)
    loaded = _rule_sets_above(
        {i for c in communities.values() if c is not None and c.path for i in ancestor_ids(c.path)}
    )
    books = {pk: RulesBook(c, loaded=loaded) for pk, c in communities.items()}
    cards = []
    annual = first.month == 1 and first.day == 1 and last.month == 12 and last.day == 31
    for report in reports:
        book = books[report.community_id]
        entries = by_person.get(report.person_id, [])
        cards.append(
            Card(
                report=report,
                label=label,
                first=first,
                last=last,
                entries=entries,
                totals=totals_of(entries, book),
                rules=book.at(last),
                annual=annual,
            )
        )
    return cards


def reports_during(queryset: QuerySet[MemberReport], first: date, last: date) -> QuerySet[MemberReport]:
    """Reports that were active at some time in [first, last]."""
    return queryset.filter(reported_on__lte=last).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))


# ---- the annual check -------------------------------------------------------------------------


@dataclass
class AnnualCheck:
    year: int
    region: Region | None
    members: int
    below: list[Card]
    units_missing: list[Any]
    ranking: list[Card] | None


def annual_check(user: Any, *, year: int, region: Region | None = None) -> AnnualCheck:
    """Reported members below their minimum of services in `year`, and units that have not reported.

    A ranking is only computed where the rules in force enable it (off by default).
    """
    first, last = date(year, 1, 1), date(year, 12, 31)
    reports = reports_during(reports_visible(user), first, last)
    if region is not None:
        low, high = subtree_range(region.path)
        reports = reports.filter(community__path__gte=low, community__path__lt=high)
    cards = cards_for(
        list(reports.order_by("community__path", "person__name", "pk")),
        label=str(year),
        first=first,
        last=last,
    )
    below = [c for c in cards if not c.meets_minimum]
    ranking = None
    if cards and all(c.rules.rankings_enabled for c in cards):
        ranking = sorted(cards, key=lambda c: (-c.totals.points, c.report.person.name))[:20]
    return AnnualCheck(
        year=year,
        region=region,
        members=len(cards),
        below=below,
        units_missing=list(units_not_reported(user, region, on=min(last, timezone.localdate()))),
        ranking=ranking,
    )


def member_counts(user: Any, *, today: date) -> dict[str, int]:
    reports = reports_visible(user).filter(ended_on__isnull=True)
    return {
        "reported": reports.count(),
        "due": reports_due(reports, today=today).count(),
        "overdue": reports.filter(next_due_on__lt=today).count(),
        "units": unit_reports_visible(user).filter(ended_on__isnull=True).count(),
    }
