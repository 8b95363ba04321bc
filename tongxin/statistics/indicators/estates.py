"""Estates (小区) and their property service: estates, the shares with 红色物业 and 红色业委会, the
property firms evaluated and those reaching 金牌红心物业 (a threshold, never a ranking), building
heads' subsidies paid, and 楼组 自治金 granted and spent.

Seed 002's "首批成立物业企业党支部38个" is close to estates.red_property (counted by estate: a firm's
branch may lead the service of several); its 十大金牌红心物业 is estates.gold_firms."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Capability
from tongxin.estates.defaults import ESTATE_RULES
from tongxin.estates.evaluation import firm_evaluation
from tongxin.estates.models import (
    EntryKind,
    Estate,
    EstateRules,
    FundEntry,
    OwnersCommittee,
    RunStatus,
    SubsidyRow,
)
from tongxin.estates.services import is_red_committee, rules_in_force
from tongxin.partners.models import PartnerUnit
from tongxin.statistics.indicators._helpers import both, on_days, ratio
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator, Source, memoized, register, section

S = section("estates", _("Estates and property service"))
VIEW = Capability.ESTATES_VIEW

estates = Source("estates", lambda: Estate.objects.select_related("community"), "region_path", VIEW)
subsidies = Source(
    "subsidy_rows", lambda: SubsidyRow.objects.select_related("run", "position__person"), "region_path", VIEW
)
fund_entries = Source(
    "fund_entries", lambda: FundEntry.objects.select_related("fund"), "fund__region_path", VIEW
)

ESTATES = pgettext_lazy("unit of a figure", "estates")
FIRMS = pgettext_lazy("unit of a figure", "firms")
YUAN = pgettext_lazy("unit of a figure", "yuan")
PEOPLE = pgettext_lazy("unit of a figure", "people")


def _existing(p: Period) -> Q:
    return Q(created_at__lt=p.end)


def _red_property(p: Period) -> Q:
    return Q(firm_branch__isnull=False, red_since__isnull=False, red_since__lte=p.until)


def _red_committees(node: Any, p: Period) -> list[Any]:
    """Estates whose owners' committee in office on the period's last day is 红色业委会 by the rules in
    force that day at the estate's street (its own version, else the county's, else the default)."""
    versions = list(EstateRules.objects.select_related("region"))
    rows = estates.rows(node).filter(_existing(p)).order_by("region_path", "id")
    committees = {
        c.estate_id: c
        for c in OwnersCommittee.objects.filter(
            estate__in=rows, term_starts_on__lte=p.until, term_ends_on__gte=p.until
        ).prefetch_related("members__person")
    }
    return [
        e
        for e in rows
        if e.pk in committees
        and is_red_committee(
            list(committees[e.pk].members.all()),
            rules_in_force(versions, p.until, e.region_path) or EstateRules(**ESTATE_RULES),
        )
    ]


def _evaluations(node: Any, p: Period) -> list[Any]:
    """The evaluations of the year in which the period ends of the firms serving the node's estates."""

    def compute() -> list[Any]:
        firm_ids = (
            estates.rows(node).filter(_existing(p), property_firm__isnull=False).values("property_firm_id")
        )
        firms = PartnerUnit.objects.filter(pk__in=firm_ids).order_by("name")
        return [firm_evaluation(f, p.until.year, today=p.until) for f in firms]

    return memoized(("estates evaluations", node.pk, p.until), compute)


def _evaluated(node: Any, p: Period) -> list[Any]:
    return [e.firm for e in _evaluations(node, p) if e.objective is not None]


def _gold(node: Any, p: Period) -> list[Any]:
    return [e.firm for e in _evaluations(node, p) if e.gold]


def _approved_in(p: Period) -> Q:
    return Q(run__status=RunStatus.APPROVED, run__approved_at__gte=p.start, run__approved_at__lt=p.end)


register(
    Indicator(
        code="estates.estates",
        section=S,
        name=_("Estates (小区)"),
        unit=ESTATES,
        definition=_("Estates of the area registered by the end of the period."),
        source=estates,
        where=_existing,
        stock=True,
    ),
    Indicator(
        code="estates.red_property",
        section=S,
        name=_("Estates with a Party-led property service (红色物业)"),
        unit=ESTATES,
        definition=_(
            "Estates whose property firm's Party branch leads the service there, from the recorded date, "
            "on the last day of the period."
        ),
        source=estates,
        where=both(_existing, _red_property),
        stock=True,
    ),
    ratio(
        code="estates.red_property_share",
        section=S,
        name=_("Share of estates with 红色物业"),
        definition=_("Estates with 红色物业 ÷ estates, on the last day of the period."),
        numerator="estates.red_property",
        denominator="estates.estates",
    ),
    Indicator(
        code="estates.red_committee",
        section=S,
        kind="computed",
        name=_("Estates with a 红色业委会"),
        unit=ESTATES,
        definition=_(
            "Estates whose owners' committee in office on the last day of the period is 红色业委会 by the "
            "rules in force that day (by default: its director is a Party member, or at least half its "
            "members are)."
        ),
        compute=_red_committees,
        capability=VIEW,
        stock=True,
    ),
    ratio(
        code="estates.red_committee_share",
        section=S,
        name=_("Share of estates with 红色业委会"),
        definition=_("Estates with 红色业委会 ÷ estates, on the last day of the period."),
        numerator="estates.red_committee",
        denominator="estates.estates",
    ),
    Indicator(
        code="estates.firms_evaluated",
        section=S,
        kind="computed",
        name=_("Property firms evaluated"),
        unit=FIRMS,
        definition=_(
            "Property firms serving the area's estates whose evaluation of the year in which the period "
            "ends has something to count (cases, tasks or the annual duty), up to the period's last day."
        ),
        compute=_evaluated,
        capability=VIEW,
        stock=True,
        higher_is_better=None,
    ),
    Indicator(
        code="estates.gold_firms",
        section=S,
        kind="computed",
        name=_("金牌红心物业"),
        unit=FIRMS,
        definition=_(
            "Party-led property firms serving the area's estates whose evaluation of the year reaches the "
            "configured threshold on enough concluded cases: a threshold, not a place in a ranking."
        ),
        compute=_gold,
        capability=VIEW,
        stock=True,
    ),
    Indicator(
        code="estates.subsidies_paid",
        section=S,
        kind="sum",
        name=_("Building heads' subsidies approved for payment"),
        unit=YUAN,
        definition=_("The building heads' subsidies of the runs approved in the period, in yuan."),
        source=subsidies,
        where=_approved_in,
        sum_field="amount",
        higher_is_better=None,
    ),
    Indicator(
        code="estates.subsidy_heads",
        section=S,
        name=_("Building heads paid a subsidy"),
        unit=PEOPLE,
        definition=_("Building heads with a row in a subsidy run approved in the period."),
        source=subsidies,
        where=_approved_in,
        higher_is_better=None,
    ),
    Indicator(
        code="estates.fund_granted",
        section=S,
        kind="sum",
        name=_("自治金 granted"),
        unit=YUAN,
        definition=_("Grants into the building groups' funds (楼组自治金) dated in the period, in yuan."),
        source=fund_entries,
        where=both(on_days("on"), Q(kind=EntryKind.GRANT)),
        sum_field="amount",
        higher_is_better=None,
    ),
    Indicator(
        code="estates.fund_spent",
        section=S,
        kind="sum",
        name=_("自治金 spent"),
        unit=YUAN,
        definition=_(
            "Spending from the building groups' funds, with its receipts, dated in the period, in yuan."
        ),
        source=fund_entries,
        where=both(on_days("on"), Q(kind=EntryKind.SPENDING)),
        sum_field="amount",
        higher_is_better=None,
    ),
)
