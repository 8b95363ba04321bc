"""The village collective economy (村集体经济) of the year in which the period ends: collective
income, the villages that entered their year, the villages per tier (the tiers in force for that
year, seed 003: ≥100万, 50–100万, ≥5万, 薄弱村), the 5+N projects and their investment, and the
village companies and cooperatives.

Seed 004's "全区村级集体经济总收入达到6651.85万元，村均收入26.39万元" is economy.collective_income
divided by economy.villages_reported; its 21 projects and 20 companies are economy.projects and
economy.enterprises."""

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Capability
from tongxin.statistics.indicators._helpers import ratio
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator, Source, register, section
from tongxin.villages.models import EconomyProject, Enterprise, ProjectStatus, VillageEconomy
from tongxin.villages.selectors import tier_rows, tiers_for

S = section("economy", _("Village collective economy"))
VIEW = Capability.VILLAGES_VIEW

years = Source(
    "village_economies", lambda: VillageEconomy.objects.select_related("region"), "region__path", VIEW
)
projects = Source(
    "economy_projects", lambda: EconomyProject.objects.select_related("region"), "region__path", VIEW
)
enterprises = Source(
    "village_enterprises", lambda: Enterprise.objects.select_related("region"), "region__path", VIEW
)

TEN_THOUSAND_YUAN = pgettext_lazy("unit of a figure", "10,000 yuan")
VILLAGES = pgettext_lazy("unit of a figure", "villages")
ITEMS = pgettext_lazy("unit of a figure", "items")
UNITS = pgettext_lazy("unit of a figure", "units")


def _of_year(p: Period) -> Q:
    return Q(year=p.until.year)


def _projects_running(p: Period) -> Q:
    return Q(year__lte=p.until.year) & ~Q(status=ProjectStatus.CLOSED)


def _enterprises_in_force(p: Period) -> Q:
    return Q(active=True) & (Q(founded_on__isnull=True) | Q(founded_on__lte=p.until))


def _tier(rank: int) -> Callable[[Any, Period], list[Any]]:
    return lambda node, p: tier_rows(node, p.until.year, rank)


def _weak(node: Any, p: Period) -> list[Any]:
    weak = [t.rank for t in tiers_for(p.until.year) if t.weak]
    return [row for rank in weak for row in tier_rows(node, p.until.year, rank)]


register(
    Indicator(
        code="economy.collective_income",
        section=S,
        kind="sum",
        name=_("Village collective income"),
        unit=TEN_THOUSAND_YUAN,
        definition=_(
            "The collective income (经营性收入, 发包及上交收入, 投资收益, 补助收入 and other income) of the "
            "area's villages in the year in which the period ends, as entered or imported for that year."
        ),
        source=years,
        where=_of_year,
        sum_field="total_income",
        stock=True,
        targeted=True,
        headline=True,
    ),
    Indicator(
        code="economy.villages_reported",
        section=S,
        name=_("Villages with their collective economy entered"),
        unit=VILLAGES,
        definition=_(
            "Villages of the area whose collective economy of the year in which the period ends is "
            "entered; the denominator of income per village and of the shares per tier."
        ),
        source=years,
        where=_of_year,
        stock=True,
    ),
    Indicator(
        code="economy.villages_top_tier",
        section=S,
        kind="computed",
        name=_("Villages in the top income tier"),
        unit=VILLAGES,
        definition=_(
            "Villages whose collective income of the year reaches the top tier in force for that year "
            "(by default 100万元 or more)."
        ),
        compute=_tier(1),
        capability=VIEW,
        stock=True,
    ),
    Indicator(
        code="economy.villages_second_tier",
        section=S,
        kind="computed",
        name=_("Villages in the second income tier"),
        unit=VILLAGES,
        definition=_(
            "Villages whose collective income of the year lies in the second tier in force for that "
            "year (by default 50万 to under 100万元)."
        ),
        compute=_tier(2),
        capability=VIEW,
        stock=True,
    ),
    Indicator(
        code="economy.villages_third_tier",
        section=S,
        kind="computed",
        name=_("Villages in the third income tier"),
        unit=VILLAGES,
        definition=_(
            "Villages whose collective income of the year lies in the third tier in force for that "
            "year (by default 5万 to under 50万元)."
        ),
        compute=_tier(3),
        capability=VIEW,
        stock=True,
    ),
    Indicator(
        code="economy.villages_weak",
        section=S,
        kind="computed",
        name=_("Weak villages (薄弱村)"),
        unit=VILLAGES,
        definition=_(
            "Villages whose collective income of the year lies in the weak tier in force for that year "
            "(by default under 5万元)."
        ),
        compute=_weak,
        capability=VIEW,
        stock=True,
        higher_is_better=False,
    ),
    ratio(
        code="economy.villages_weak_share",
        section=S,
        name=_("Share of weak villages"),
        definition=_("Weak villages ÷ villages with their collective economy entered for the year."),
        numerator="economy.villages_weak",
        denominator="economy.villages_reported",
        higher_is_better=False,
    ),
    Indicator(
        code="economy.projects",
        section=S,
        name=_("Collective-economy projects (5+N)"),
        unit=ITEMS,
        definition=_(
            "The villages' collective-economy projects started by the end of the period and not closed."
        ),
        source=projects,
        where=_projects_running,
        stock=True,
    ),
    Indicator(
        code="economy.project_investment",
        section=S,
        kind="sum",
        name=_("Investment in collective-economy projects"),
        unit=TEN_THOUSAND_YUAN,
        definition=_("The investment in those projects (started by the end of the period and not closed)."),
        source=projects,
        where=_projects_running,
        sum_field="investment",
        stock=True,
    ),
    Indicator(
        code="economy.enterprises",
        section=S,
        name=_("Village companies and cooperatives"),
        unit=UNITS,
        definition=_(
            "Active village collective companies and cooperatives founded by the end of the period."
        ),
        source=enterprises,
        where=_enterprises_in_force,
        stock=True,
    ),
)
