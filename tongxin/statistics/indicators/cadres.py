"""The cadre roster: seed 003's "234" composition (1,357 people; 592 大专以上, 115 aged 35 or under,
472 women, 18 致富能手), 大学生村干部 and 交叉任职, seed 004's 第一书记 and 驻村工作队, the terms
ending within their warning window and the role changes of the period.

Composition figures are counted over people (one person holding two posts counts once) on the last
day of the period; each lists the people it counts."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.cadres import composition as comp
from tongxin.cadres.models import Stationed, StationedKind, Term
from tongxin.cadres.selectors import rule_in_force, terms_ending
from tongxin.core.roles import Capability
from tongxin.people.models import Person
from tongxin.statistics.indicators._helpers import both, in_force, ratio
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator, Source, memoized, register, section

S = section("cadres", _("Cadre roster (234)"))
VIEW = Capability.CADRES_VIEW
PEOPLE = pgettext_lazy("unit of a figure", "people")
TERMS = pgettext_lazy("unit of a figure", "terms")

stationed = Source(
    "stationed", lambda: Stationed.objects.select_related("person", "village"), "region_path", VIEW
)


def _composition(node: Any, p: Period) -> comp.Composition:
    return memoized(("cadres composition", node.pk, p.until), lambda: comp.composition(node, on=p.until))


def _people(ids: list[int]) -> list[Person]:
    return list(Person.objects.filter(pk__in=ids).order_by("pk"))


def _everyone(node: Any, p: Period) -> list[Person]:
    return _people(_composition(node, p).people)


def _committees(node: Any, p: Period) -> list[Person]:
    return _people(_composition(node, p).committee_people)


def _measure(key: str) -> Any:
    return lambda node, p: _people(_composition(node, p).measures[key].ids)


def _terms_ending(node: Any, p: Period) -> list[Term]:
    """Current terms due to end within the warning window of the rule in force after the period."""
    _years, warn_days = rule_in_force(node, on=p.until)
    return list(terms_ending(node, within_days=warn_days, on=p.until).order_by("ends_on", "pk"))


def _changed(node: Any, p: Period) -> list[Person]:
    found = memoized(
        ("cadres changes", node.pk, p.since, p.until),
        lambda: comp.changes(node, since=p.since, until=p.until),
    )
    return _people([c.person_id for c in found])


def _kind(kind: str) -> Any:
    return both(Q(kind=kind), in_force("starts_on", "ends_on"))


def _computed(code: str, name: Any, definition: Any, compute: Any, unit: Any = PEOPLE) -> Indicator:
    return Indicator(
        code=code,
        section=S,
        kind="computed",
        name=name,
        unit=unit,
        definition=definition,
        compute=compute,
        capability=VIEW,
        stock=True,
    )


register(
    _computed(
        "cadres.people",
        _("People on the 234 roster"),
        _(
            "People holding a 两委 post of a community or village, or a 三长 or 四员 post, on the last day. "
            "Counted by person: someone holding two posts counts once, so this is smaller than the "
            "structure section's 234 posts."
        ),
        _everyone,
    ),
    _computed(
        "cadres.committee_people",
        _("People on the 两委"),
        _(
            "People on the Party committee or the residents' or villagers' committee of a community or "
            "village on the last day, counted by person (someone on both committees counts once; the "
            "structure section's 两委 posts counts each post)."
        ),
        _committees,
    ),
    _computed(
        "cadres.college",
        _("Roster people with college education"),
        _(
            "People on the roster whose recorded education is junior college (大专) or higher, counted by "
            "person; someone without a cadre profile is not counted."
        ),
        _measure("college"),
    ),
    ratio(
        code="cadres.college_share",
        section=S,
        name=_("Share of roster people with college education"),
        definition=_("People on the roster with college education ÷ people on the roster (by person)."),
        numerator="cadres.college",
        denominator="cadres.people",
    ),
    _computed(
        "cadres.young",
        _("Roster people aged 35 or under"),
        _("People on the roster aged 35 or under (35周岁以下) on the last day of the period, by person."),
        _measure("young"),
    ),
    ratio(
        code="cadres.young_share",
        section=S,
        name=_("Share of roster people aged 35 or under"),
        definition=_(
            "People on the roster aged 35 or under ÷ people on the roster (by person; the structure "
            "section's share counts posts)."
        ),
        numerator="cadres.young",
        denominator="cadres.people",
    ),
    _computed(
        "cadres.women",
        _("Women on the roster"),
        _("Women among the people on the roster, by person."),
        _measure("women"),
    ),
    ratio(
        code="cadres.women_share",
        section=S,
        name=_("Share of women among roster people"),
        definition=_(
            "Women on the roster ÷ people on the roster (by person; the structure section's share counts "
            "posts)."
        ),
        numerator="cadres.women",
        denominator="cadres.people",
    ),
    _computed(
        "cadres.wealth_leaders",
        _("致富能手 on the roster"),
        _("People on the roster recorded as leading villagers to prosperity (致富能手)."),
        _measure("wealth"),
    ),
    _computed(
        "cadres.graduate_cadres",
        _("大学生村干部"),
        _("People on the roster recorded as college-graduate village cadres."),
        _measure("graduate"),
    ),
    _computed(
        "cadres.cross_holding",
        _("交叉任职 on the 两委"),
        _("People holding a post on both committees of the same community or village."),
        _measure("cross"),
    ),
    ratio(
        code="cadres.cross_holding_share",
        section=S,
        name=_("Share of 两委 members on both committees"),
        definition=_("People on both committees ÷ 两委 members."),
        numerator="cadres.cross_holding",
        denominator="cadres.committee_people",
    ),
    Indicator(
        code="cadres.first_secretaries",
        section=S,
        name=_("First secretaries (第一书记)"),
        unit=PEOPLE,
        definition=_("First secretaries sent to a village and serving on the last day of the period."),
        source=stationed,
        where=_kind(StationedKind.FIRST_SECRETARY),
        stock=True,
    ),
    Indicator(
        code="cadres.work_team",
        section=S,
        name=_("Village work team members (驻村工作队)"),
        unit=PEOPLE,
        definition=_("Leaders and members of village work teams serving on the last day of the period."),
        source=stationed,
        where=both(
            Q(kind__in=[StationedKind.TEAM_LEADER, StationedKind.TEAM_MEMBER]),
            in_force("starts_on", "ends_on"),
        ),
        stock=True,
    ),
    _computed(
        "cadres.terms_ending",
        _("Committee terms ending soon"),
        _(
            "Current terms of the 两委 due to end within the warning window (the term rule's days, 90 by "
            "default) of the last day of the period, or past their end."
        ),
        _terms_ending,
        unit=TERMS,
    ),
    _computed(
        "cadres.role_changes",
        _("Role changes on the roster"),
        _(
            "People who joined, left or moved between the 两委, 三长 and 四员 in the period: what they held "
            "the day before it began against what they held on its last day."
        ),
        _changed,
    ),
)
