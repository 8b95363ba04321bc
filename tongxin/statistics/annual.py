"""The county's annual ledger (年度台账) without retyping: one row per village of a node for a year,
its columns the registry's figures named in VILLAGE_COLUMNS (a figure not registered yet is left
out, so adding one is a line here), and one row per 两新 organisation with its Party facts. Both are
downloads through the audited export (audit.exports.export_view), scoped like the pages."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.audit.exports import export_view
from tongxin.core.access import requires
from tongxin.core.roles import Capability
from tongxin.core.xlsx import Column, related_name
from tongxin.statistics import (
    indicators,  # noqa: F401  (fills the registry)
    selectors,
)
from tongxin.statistics.periods import year as year_period
from tongxin.statistics.registry import REGISTRY
from tongxin.twonew.models import NewOrganisation
from tongxin.twonew.selectors import organisations_visible
from tongxin.villages import selectors as villages

# the village ledger's figures, in their order; codes of figures registered later (the cadres'
# composition, the assessment's grades) are added here and appear once they exist
VILLAGE_COLUMNS = [
    "economy.collective_income",
    "economy.projects",
    "economy.project_investment",
    "economy.enterprises",
    "cadres.cadres",
    "cadres.college_share",
    "cadres.under_35_share",
    "cadres.women_share",
    "cadres.rich_leaders",
    "cadres.first_secretaries",
    "assessment.team_score",
    "partylife.meetings_held",
    "cases.received",
    "cases.resolution_rate",
    "members.reported",
]


class AnnualForm(forms.Form):
    node = forms.IntegerField(required=False, min_value=1)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)

    def values(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v is not None}


def _year(form: AnnualForm) -> int:
    return int(form.values().get("year") or timezone.localdate().year)


def village_selection(request: HttpRequest) -> tuple[AnnualForm, QuerySet[Any]]:
    form = AnnualForm(request.GET or None)
    user = request.user
    node_id = form.values().get("node")
    node = villages.node_get(user, node_id) if node_id else villages.home_node(user)
    rows = villages.villages_visible(user, node) if node is not None else villages.villages().none()
    period = year_period(_year(form))
    request._annual = (period, [REGISTRY[c] for c in VILLAGE_COLUMNS if c in REGISTRY])  # type: ignore[attr-defined]
    return form, rows


def _with_figures(request: HttpRequest) -> Any:
    def rows(queryset: QuerySet[Any]) -> list[Any]:
        period, chosen = request._annual  # type: ignore[attr-defined]
        found = list(queryset.select_related("parent"))
        for village in found:
            shown = selectors.visible(request.user, village, [i.code for i in chosen])
            village.figures = selectors.compute(village, period, shown)
        return found

    return rows


def _figure(code: str) -> Any:
    def value(village: Any) -> Any:
        found = selectors.total(village.figures.get(code))
        return float(found) if found is not None and REGISTRY[code].kind == "ratio" else found

    return value


def _village_columns() -> list[Column]:
    columns = [
        Column(_("Village"), lambda v: v.name, width=18),
        Column(_("Code"), lambda v: v.code, width=16),
        Column(_("Township"), lambda v: v.parent.name if v.parent else "", width=14),
    ]
    for code in VILLAGE_COLUMNS:
        if code in REGISTRY:
            i = REGISTRY[code]
            # 万元 with two decimals; a share as a percentage (the cell holds the fraction)
            shown = "0.00" if i.kind == "sum" else "0.0%" if i.kind == "ratio" else ""
            columns.append(Column(f"{i.name}（{i.unit}）", _figure(code), width=14, number_format=shown))
    return columns


def _village_ledger(request: HttpRequest) -> Any:
    view = export_view(
        village_selection,
        _village_columns(),
        name="annual-villages",
        title=_("Annual ledger of the villages"),
        back="villages:overview",
        rows=_with_figures(request),
    )
    return view(request)


village_ledger = requires(Capability.VILLAGES_VIEW)(_village_ledger)


def twonew_selection(request: HttpRequest) -> tuple[AnnualForm, QuerySet[NewOrganisation]]:
    form = AnnualForm(request.GET or None)
    return form, organisations_visible(request.user)


def _yes(flag: bool) -> str:
    return str(_("yes") if flag else _("no"))


TWONEW_COLUMNS = [
    Column(_("Organisation"), related_name("unit.name"), width=24),
    Column(_("Where it sits"), related_name("unit.region.name"), width=14),
    Column(_("Has a Party organisation"), lambda o: _yes(o.has_party_organisation)),
    Column(_("Party organisation since"), lambda o: o.party_since),
    Column(_("Party building in the charter (党建入章)"), lambda o: _yes(o.charter)),
    Column(_("The secretary also in management (交叉任职)"), lambda o: _yes(o.cross_appointment)),
    Column(_("Party-building instructor (党建指导员)"), lambda o: o.instructor.name if o.instructor else ""),
    Column(_("Status"), lambda o: o.get_standing_display()),
    Column(_("Rectification items"), lambda o: o.items, total=True),
    Column(_("Rectification items done"), lambda o: o.items_done, total=True),
]

twonew_ledger = requires(Capability.TWONEW_VIEW)(
    export_view(
        twonew_selection,
        TWONEW_COLUMNS,
        name="annual-twonew",
        title=_("Annual ledger of the new organisations (两新)"),
        back="twonew:list",
    )
)
