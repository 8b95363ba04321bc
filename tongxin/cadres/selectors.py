"""Reads of the cadre roster, its composition, terms and elections.

The scope-free reads (`current_cadres`, `team_of`, `roster_positions`) are for callers that have
checked the user's scope already (other apps: the assessment reads who is a cadre of which team).
Everything a page or the API shows goes through the `*_visible` / `*_get` reads, which take the user.
"""

from datetime import date, timedelta
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.cadres import defaults
from tongxin.cadres.models import (
    COMMITTEE_POSITIONS,
    ROSTER_POSITIONS,
    TIERS,
    CadreProfile,
    Committee,
    Election,
    Stationed,
    Term,
    TermRule,
    Tier,
)
from tongxin.core.roles import Capability
from tongxin.core.scope import Scope, scope_for
from tongxin.lib.tree import ancestor_ids, subtree_range
from tongxin.people.models import Person, Position
from tongxin.regions.models import Level, Region

VIEW = Capability.CADRES_VIEW
MANAGE = Capability.CADRES_MANAGE

TEAM_POSITIONS = TIERS[Tier.TWO_COMMITTEES]


def _today(on: date | None) -> date:
    return on or timezone.localdate()


def held_on(queryset: QuerySet[Position], on: date | None = None) -> QuerySet[Position]:
    """Positions held on the day `on` (today by default)."""
    day = _today(on)
    return queryset.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


def on_roster() -> Q:
    """The posts of the roster: a 两委 post kept at a community or village (a grid branch's own
    secretary is not on its 两委), and the 三长 and 四员 anywhere below."""
    return Q(kind__in=TEAM_POSITIONS, region__level=Level.COMMUNITY) | Q(
        kind__in=ROSTER_POSITIONS - TEAM_POSITIONS
    )


def roster_positions(
    region: Region, *, on: date | None = None, kinds: frozenset[str] = ROSTER_POSITIONS
) -> QuerySet[Position]:
    """The "234" posts held on `on` anywhere in `region`'s subtree (no scope check)."""
    low, high = subtree_range(region.path)
    rows = Position.objects.filter(on_roster(), kind__in=kinds, region__path__gte=low, region__path__lt=high)
    return held_on(rows, on).select_related("person", "region")


def team_of(region: Region, *, on: date | None = None) -> QuerySet[Position]:
    """The 两委 team of a community or village on `on`: its committee posts, secretary first.

    A township or street gives the teams of all its villages and communities. (No scope check.)
    """
    return in_roster_order(roster_positions(region, on=on, kinds=TEAM_POSITIONS))


def current_cadres(region: Region, *, on: date | None = None) -> QuerySet[Person]:
    """The people on a 两委 team in `region`'s subtree on `on` (村/社区干部; no scope check)."""
    ids = team_of(region, on=on).values("person_id")
    return Person.objects.filter(pk__in=ids).order_by("pk")


def team_region_ids(people: list[int], *, on: date | None = None) -> dict[int, int]:
    """For each person id, the community or village whose 两委 they sit on (the first found)."""
    rows = held_on(
        Position.objects.filter(kind__in=TEAM_POSITIONS, region__level=Level.COMMUNITY, person_id__in=people),
        on,
    )
    found: dict[int, int] = {}
    for person_id, region_id in rows.order_by("starts_on", "pk").values_list("person_id", "region_id"):
        found.setdefault(person_id, region_id)
    return found


# the roster reads 书记 first, then the residents' committee, then 三长 and 四员
ROSTER_ORDER = [
    "secretary",
    "deputy_secretary",
    "committee_member",
    "concurrent_member",
    "residents_director",
    "residents_deputy",
    "residents_member",
    "group_leader",
    "grid_leader",
    "building_head",
    "policy_promoter",
    "information_collector",
    "mediator",
    "startup_adviser",
]


def in_roster_order(rows: QuerySet[Position]) -> QuerySet[Position]:
    rank = Case(
        *[When(kind=kind, then=Value(i)) for i, kind in enumerate(ROSTER_ORDER)],
        default=Value(99),
        output_field=IntegerField(),
    )
    return rows.annotate(rank=rank).order_by("region__path", "rank", "starts_on", "pk")


# ---- scoped reads ---------------------------------------------------------------------------------


def scope(user: Any, capability: str = VIEW) -> Scope:
    return scope_for(user, capability)


def units_visible(user: Any) -> QuerySet[Region]:
    """The communities and villages whose roster the user may see."""
    return Region.objects.filter(scope_for(user, VIEW).q("path"), level=Level.COMMUNITY).order_by("path")


def node_get(user: Any, pk: Any) -> Region:
    """A region node the user may see the roster of (404 outside the scope, or below a community)."""
    return get_object_or_404(
        Region.objects.filter(scope_for(user, VIEW).q("path")).filter(
            level__in=[Level.CITY, Level.COUNTY, Level.STREET, Level.COMMUNITY]
        ),
        pk=pk,
    )


def home_node(user: Any) -> Region | None:
    """Where the user's roster starts: the top of their scope (the first root if several)."""
    roots = scope_for(user, VIEW).roots
    if not roots:
        return None
    return Region.objects.filter(path=roots[0]).first()


def profiles_of(people: list[int]) -> dict[int, CadreProfile]:
    return {p.person_id: p for p in CadreProfile.objects.filter(person_id__in=people)}


def profile_get(user: Any, person_pk: Any) -> tuple[Person, CadreProfile | None, bool]:
    """A person who holds or held a roster post inside the user's scope, their profile and whether
    the user may change it."""
    view = scope_for(user, VIEW)
    held = Position.objects.filter(kind__in=ROSTER_POSITIONS).filter(view.q("region__path"))
    stationed = Stationed.objects.filter(view.q("region_path"))
    person = get_object_or_404(
        Person.objects.filter(Q(pk__in=held.values("person_id")) | Q(pk__in=stationed.values("person_id"))),
        pk=person_pk,
    )
    manage = scope_for(user, MANAGE)
    may_edit = (
        Position.objects.filter(person=person, kind__in=ROSTER_POSITIONS)
        .filter(manage.q("region__path"))
        .exists()
        or Stationed.objects.filter(person=person).filter(manage.q("region_path")).exists()
    )
    return person, CadreProfile.objects.filter(person=person).first(), may_edit


def stationed_in(region: Region, *, on: date | None = None) -> QuerySet[Stationed]:
    """第一书记 and 驻村工作队 members serving in `region`'s subtree on `on` (no scope check)."""
    day = _today(on)
    low, high = subtree_range(region.path)
    return (
        Stationed.objects.filter(region_path__gte=low, region_path__lt=high, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("person", "village", "sending_unit")
    )


def stationed_visible(user: Any) -> QuerySet[Stationed]:
    """The postings of 第一书记 and 驻村工作队 in villages the user sees."""
    return Stationed.objects.filter(scope_for(user, VIEW).q("region_path")).select_related(
        "person", "village", "sending_unit"
    )


def may_station(user: Any, village: Region) -> bool:
    """Whether the user keeps `village`'s stationed cadres: `cadres.manage` above the village (the
    township or the county; a village secretary sees them and does not keep them)."""
    parent_path = village.path.rstrip("/").rsplit("/", 1)[0] + "/" if village.parent_id else ""
    return bool(parent_path) and scope_for(user, MANAGE).contains(parent_path)


def stationed_get(user: Any, pk: Any) -> tuple[Stationed, bool]:
    """A posting in the user's scope (404 outside) and whether the user may change it."""
    row = get_object_or_404(stationed_visible(user), pk=pk)
    return row, may_station(user, row.village)


def stationing_villages(user: Any) -> QuerySet[Region]:
    """The communities and villages whose stationed cadres the user keeps."""
    above = Region.objects.filter(
        scope_for(user, MANAGE).q("path"), level__in=[Level.CITY, Level.COUNTY, Level.STREET]
    )
    return Region.objects.filter(level=Level.COMMUNITY, parent__in=above).order_by("path")


# ---- terms ----------------------------------------------------------------------------------------


def _rules(on: date) -> list[TermRule]:
    """Every version of the term rule valid on `on` (a small table: read once, chosen in Python)."""
    return list(TermRule.objects.filter(valid_from__lte=on))


def _best(rules: list[TermRule], region: Region | None) -> tuple[int, int]:
    ids = ancestor_ids(region.path) if region is not None and region.path else []
    depth = {pk: i for i, pk in enumerate(ids, start=1)}
    best: tuple[int, date, int] | None = None
    found: TermRule | None = None
    for row in rules:
        if row.region_id is not None and row.region_id not in depth:
            continue
        key = (depth.get(row.region_id, 0) if row.region_id else 0, row.valid_from, row.pk)
        if best is None or key > best:
            best, found = key, row
    if found is None:
        return defaults.TERM_YEARS, defaults.WARN_DAYS
    return found.years, found.warn_days


def rule_in_force(region: Region | None, *, on: date | None = None) -> tuple[int, int]:
    """(years, warn_days) in force at `region` on `on`: the nearest node's latest row, else the default."""
    return _best(_rules(_today(on)), region)


def terms_visible(user: Any, capability: str = VIEW) -> QuerySet[Term]:
    return Term.objects.filter(scope_for(user, capability).q("region_path")).select_related("region")


def terms_in(region: Region) -> QuerySet[Term]:
    low, high = subtree_range(region.path)
    return Term.objects.filter(region_path__gte=low, region_path__lt=high).select_related("region")


def terms_ending(region: Region, *, within_days: int, on: date | None = None) -> QuerySet[Term]:
    """Current terms in `region`'s subtree due to end within `within_days` days of `on` (inclusive:
    a term ending exactly `within_days` days ahead is in, one more day is out; overdue ones are in)."""
    day = _today(on)
    return terms_in(region).filter(ended_on__isnull=True, ends_on__lte=day + timedelta(days=within_days))


def term_warning(term: Term, *, on: date | None = None, rules: list[TermRule] | None = None) -> int | None:
    """Days left if the current term is within its warning window (negative: overdue), else None.
    A list of terms passes `rules` (term_rules) so that the rule table is read once."""
    if term.ended_on is not None:
        return None
    day = _today(on)
    _years, warn_days = _best(_rules(day) if rules is None else rules, term.region)
    left = (term.ends_on - day).days
    return left if left <= warn_days else None


def rule_versions(node: Region) -> QuerySet[TermRule]:
    """Every version of the term rule kept at `node` or above it (and the national ones), newest first."""
    ids = ancestor_ids(node.path) if node.path else []
    return (
        TermRule.objects.filter(Q(region__isnull=True) | Q(region_id__in=ids))
        .select_related("region", "created_by")
        .order_by("-valid_from", "-pk")
    )


def term_rules(on: date | None = None) -> list[TermRule]:
    return _rules(_today(on))


def term_get(user: Any, pk: Any) -> tuple[Term, bool]:
    term = get_object_or_404(terms_visible(user), pk=pk)
    return term, scope_for(user, MANAGE).contains(term.region_path)


def committee_positions(term: Term, *, on: date | None = None) -> QuerySet[Position]:
    """The committee's posts held at the term's community on `on`."""
    return in_roster_order(
        held_on(
            Position.objects.filter(region=term.region, kind__in=COMMITTEE_POSITIONS[term.committee]), on
        ).select_related("person", "region")
    )


def elections_visible(user: Any) -> QuerySet[Election]:
    return Election.objects.filter(scope_for(user, VIEW).q("region_path")).select_related("region", "term")


def election_get(user: Any, pk: Any) -> tuple[Election, bool]:
    election = get_object_or_404(elections_visible(user), pk=pk)
    return election, scope_for(user, MANAGE).contains(election.region_path)


__all__ = [
    "Committee",
    "current_cadres",
    "held_on",
    "roster_positions",
    "team_of",
]
