"""The "234" composition of a node (seed 003: 1,357 people, 592 大专以上, 115 under 35, 472 women,
18 致富能手) and the changes of a period (28 四员→三长, 42 三长→四员, 22 into the 两委).

Everything is counted over people, not posts: one person holding two posts counts once. Each
measure keeps the ids it counted, so a page lists exactly the rows behind its figure.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongxin.cadres.models import (
    COLLEGE_LEVELS,
    COMMITTEE_POSITIONS,
    TIERS,
    CadreProfile,
    Committee,
    Tier,
    tier_of,
)
from tongxin.cadres.selectors import held_on, on_roster
from tongxin.lib.tree import subtree_range
from tongxin.people.models import Gender, Person, Position
from tongxin.regions.models import Level, Region

YOUNG_AGE = 35  # 35周岁以下: 35 and younger


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass
class Measure:
    key: str
    label: str | Promise
    numerator: int
    denominator: int
    ids: list[int]

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


@dataclass
class Composition:
    node: Region
    on: date
    people: list[int]  # everyone holding a "234" post
    committee_people: list[int]  # on a 两委
    measures: dict[str, Measure] = field(default_factory=dict)
    by_tier: dict[str, int] = field(default_factory=dict)


MEASURES: list[tuple[str, str | Promise]] = [
    ("college", _("College education (大专以上)")),
    ("young", _("Aged 35 or under")),
    ("women", _("Women")),
    ("wealth", _("致富能手")),
    ("graduate", _("大学生村干部")),
    ("cross", _("交叉任职 (on both committees)")),
]
MEASURE_KEYS = [key for key, _label in MEASURES]
# what each figure counts, as the roster page states it under the figure (people, not posts)
DEFINITIONS: dict[str, str | Promise] = {
    "college": _("Recorded education 大专 or higher, among everyone on the roster."),
    "young": _("Aged 35 or under on the day shown (35周岁以下), among everyone on the roster."),
    "women": _("Recorded as female, among everyone on the roster."),
    "wealth": _("Recorded as 致富能手 on the cadre profile, among everyone on the roster."),
    "graduate": _("Recorded as 大学生村干部 on the cadre profile, among everyone on the roster."),
    "cross": _("On both committees of the same community or village, among the 两委 members."),
}


def posts_held(node: Region, on: date) -> list[tuple[int, str, int, str]]:
    """(person id, kind, region id, region path) of the "234" posts held in `node`'s subtree on `on`."""
    low, high = subtree_range(node.path)
    rows = Position.objects.filter(on_roster(), region__path__gte=low, region__path__lt=high)
    return list(held_on(rows, on).values_list("person_id", "kind", "region_id", "region__path"))


def cross_holders(posts: list[tuple[int, str, int, str]]) -> set[int]:
    """People on both committees of the same community or village (交叉任职)."""
    seats: dict[tuple[int, int], set[str]] = defaultdict(set)
    for person_id, kind, region_id, _path in posts:
        for committee, kinds in COMMITTEE_POSITIONS.items():
            if kind in kinds:
                seats[(person_id, region_id)].add(committee)
    return {person for (person, _region), held in seats.items() if len(held) == len(Committee.values)}


@dataclass(frozen=True)
class _Facts:
    gender: dict[int, str]
    birth: dict[int, date | None]
    profile: dict[int, tuple[str, bool, bool]]  # education, 致富能手, 大学生村干部


def _facts(people: list[int]) -> _Facts:
    rows = list(Person.objects.filter(pk__in=people).values_list("pk", "gender", "birth_date"))
    profiles = CadreProfile.objects.filter(person_id__in=people).values_list(
        "person_id", "education", "wealth_leader", "college_graduate_cadre"
    )
    return _Facts(
        gender={pk: g for pk, g, _b in rows},
        birth={pk: b for pk, _g, b in rows},
        profile={pk: (e, w, c) for pk, e, w, c in profiles},
    )


def _compose(node: Region, day: date, posts: list[tuple[int, str, int, str]], facts: _Facts) -> Composition:
    people = sorted({p for p, _k, _r, _path in posts})
    committee_kinds = TIERS[Tier.TWO_COMMITTEES]
    committee_people = sorted({p for p, k, _r, _path in posts if k in committee_kinds})
    profile = facts.profile
    college = [p for p in people if p in profile and profile[p][0] in COLLEGE_LEVELS]
    young = [p for p in people if (b := facts.birth.get(p)) is not None and age_on(b, day) <= YOUNG_AGE]
    women = [p for p in people if facts.gender.get(p) == Gender.FEMALE]
    wealth = [p for p in people if p in profile and profile[p][1]]
    graduate = [p for p in people if p in profile and profile[p][2]]
    cross = sorted(cross_holders(posts))
    labels = dict(MEASURES)
    total = len(people)
    result = Composition(node=node, on=day, people=people, committee_people=committee_people)
    for key, ids, denominator in (
        ("college", college, total),
        ("young", young, total),
        ("women", women, total),
        ("wealth", wealth, total),
        ("graduate", graduate, total),
        ("cross", cross, len(committee_people)),
    ):
        result.measures[key] = Measure(key, labels[key], len(ids), denominator, ids)
    for tier in Tier.values:
        result.by_tier[tier] = len({p for p, k, _r, _path in posts if tier_of(k) == tier})
    return result


def composition(node: Region, *, on: date | None = None) -> Composition:
    """The composition of the people holding a "234" post in `node`'s subtree on `on` (no scope)."""
    day = on or timezone.localdate()
    posts = posts_held(node, day)
    return _compose(node, day, posts, _facts(sorted({p for p, *_rest in posts})))


def compositions_by_unit(node: Region, *, on: date | None = None) -> list[Composition]:
    """The composition of each community or village in `node`'s subtree, from one read of the posts."""
    day = on or timezone.localdate()
    low, high = subtree_range(node.path)
    units = list(Region.objects.filter(path__gte=low, path__lt=high, level=Level.COMMUNITY).order_by("path"))
    posts = posts_held(node, day)
    facts = _facts(sorted({p for p, *_rest in posts}))
    by_unit: dict[str, list[tuple[int, str, int, str]]] = defaultdict(list)
    unit_paths = {u.path for u in units}
    for post in posts:
        path = post[3]
        unit = next((p for p in unit_paths if path.startswith(p)), None)
        if unit is not None:
            by_unit[unit].append(post)
    return [_compose(unit, day, by_unit.get(unit.path, []), facts) for unit in units]


# ---- changes of a period --------------------------------------------------------------------------


@dataclass
class Change:
    person_id: int
    before: frozenset[str]  # tiers held the day before the period
    after: frozenset[str]  # tiers held on its last day

    @property
    def kind(self) -> str:
        if not self.before:
            return "joined"
        if not self.after:
            return "left"
        return "moved"


def _tiers(posts: list[tuple[int, str, int, str]]) -> dict[int, frozenset[str]]:
    held: dict[int, set[str]] = defaultdict(set)
    for person_id, kind, _region, _path in posts:
        tier = tier_of(kind)
        if tier:
            held[person_id].add(tier)
    return {p: frozenset(t) for p, t in held.items()}


def changes(node: Region, *, since: date, until: date) -> list[Change]:
    """Who joined, left or moved between the 两委, 三长 and 四员 between `since` and `until`."""
    before = _tiers(posts_held(node, since - timedelta(days=1)))
    after = _tiers(posts_held(node, until))
    found = []
    for person in sorted(set(before) | set(after)):
        old, new = before.get(person, frozenset()), after.get(person, frozenset())
        if old != new:
            found.append(Change(person, old, new))
    return found


def promotions(found: list[Change]) -> dict[str, list[int]]:
    """Seed 003's three counts: 四员 → 三长, 三长 → 四员, 三长/四员 → 两委 (people newly in a tier)."""
    committees, heads, assistants = Tier.TWO_COMMITTEES, Tier.THREE_HEADS, Tier.FOUR_ASSISTANTS
    result: dict[str, list[int]] = {"assistants_to_heads": [], "heads_to_assistants": [], "to_committees": []}
    for change in found:
        gained = change.after - change.before
        if assistants in change.before and heads in gained:
            result["assistants_to_heads"].append(change.person_id)
        if heads in change.before and assistants in gained:
            result["heads_to_assistants"].append(change.person_id)
        if (heads in change.before or assistants in change.before) and committees in gained:
            result["to_committees"].append(change.person_id)
    return result
