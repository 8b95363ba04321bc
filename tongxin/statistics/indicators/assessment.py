"""Annual assessment and contests: teams and cadres assessed, the grades, the 末位 and the contests
held (seed 004: 252 village teams and 809 cadres assessed; 36 secretaries in the 擂台大比武).

The figures need assessment.view at the node. A result counts at a node only where its scheme lets
the node see it (DOMAIN.md §7): at the owning department's node or above it, and anywhere below it
only when the scheme shares its results with streets and townships. A village's own result of an
unshared scheme is shown to it on the assessment's pages, not counted at its node: figures are
computed by node, and a street reads its children's nodes (the children table of its overview),
so a count at the village would hand the street every village's grade; it also keeps a node's
flows equal to or above the sum of its children's.

This module also gives the assessment its reader of the registry (objective items read their
value at a village for a year here), since the assessment sits below the registry."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.assessment.models import Contest, Grade, Result, RunStatus, SubjectKind
from tongxin.assessment.sources import Evidence, register_reader
from tongxin.core.roles import Capability
from tongxin.statistics import periods
from tongxin.statistics.indicators._helpers import both, during, labels, on_days, ratio
from tongxin.statistics.registry import REGISTRY, Indicator, Source, register, section
from tongxin.statistics.selectors import compute, total

S = section("assessment", _("Assessment"))
# assessment.view: the statistics scope test has every figure readable at the reader's own node
M = Capability.ASSESSMENT_VIEW
SUBJECTS = pgettext_lazy("unit of a figure", "subjects")
TEAMS = pgettext_lazy("unit of a figure", "teams")
PEOPLE = pgettext_lazy("unit of a figure", "people")
TIMES = pgettext_lazy("unit of a figure", "times")


@dataclass(frozen=True)
class ResultSource(Source):
    """Results under a node, narrowed to those the node may see (see the module's note)."""

    def in_node(self, node: Any) -> Q:
        owner_below = Q(run__scheme__owner__path__gte=node.path, run__scheme__owner__path__lt=node.path + "~")
        return super().in_node(node) & (owner_below | Q(run__scheme__share_with_streets=True))


results = ResultSource(
    "assessment_results",
    lambda: Result.objects.select_related("region", "person", "run__scheme"),
    "region_path",
    M,
)
contests = Source(
    "contests",
    lambda: Contest.objects.select_related("owner"),
    "owner__path",
    M,
)


def _final(kind: str, *more: Q) -> Any:
    condition = Q(kind=kind, run__status=RunStatus.FINAL)
    for q in more:
        condition &= q
    return both(condition, during("run__finalised_at"))


register(
    Indicator(
        code="assessment.teams",
        section=S,
        name=_("Village and community teams assessed"),
        unit=TEAMS,
        definition=_("Teams (班子) in an annual assessment finalised in the period."),
        source=results,
        where=_final(SubjectKind.TEAM),
    ),
    Indicator(
        code="assessment.teams_excellent",
        section=S,
        name=_("Teams graded 优秀"),
        unit=TEAMS,
        definition=_("Teams graded 优秀 in an annual assessment finalised in the period."),
        source=results,
        where=_final(SubjectKind.TEAM, Q(grade=Grade.EXCELLENT)),
    ),
    ratio(
        code="assessment.teams_excellent_share",
        section=S,
        name=_("Share of teams graded 优秀"),
        definition=_("Teams graded 优秀 ÷ teams assessed, in assessments finalised in the period."),
        numerator="assessment.teams_excellent",
        denominator="assessment.teams",
    ),
    Indicator(
        code="assessment.teams_by_grade",
        section=S,
        name=_("Teams by grade"),
        unit=TEAMS,
        definition=_("Teams assessed in the period, by grade (优秀, 良好, 一般, 较差)."),
        source=results,
        where=_final(SubjectKind.TEAM),
        group_by="grade",
        group_label=labels(Grade),
    ),
    Indicator(
        code="assessment.cadres",
        section=S,
        name=_("Cadres assessed"),
        unit=PEOPLE,
        definition=_("Village and community cadres in an annual assessment finalised in the period."),
        source=results,
        where=_final(SubjectKind.CADRE),
    ),
    Indicator(
        code="assessment.cadres_by_grade",
        section=S,
        name=_("Cadres by grade"),
        unit=PEOPLE,
        definition=_("Cadres assessed in the period, by grade (优秀, 良好, 一般, 较差)."),
        source=results,
        where=_final(SubjectKind.CADRE),
        group_by="grade",
        group_label=labels(Grade),
    ),
    Indicator(
        code="assessment.bottom",
        section=S,
        name=_("末位 (teams and cadres)"),
        unit=SUBJECTS,
        definition=_(
            "Teams and cadres flagged 末位 by the scheme's rule in assessments finalised in the period."
        ),
        source=results,
        where=both(Q(run__status=RunStatus.FINAL, bottom=True), during("run__finalised_at")),
        higher_is_better=False,
    ),
    Indicator(
        code="assessment.contests",
        section=S,
        name=_("Secretaries' contests held (擂台比武)"),
        unit=TIMES,
        definition=_("Contests of secretaries held in the period by the area's departments."),
        source=contests,
        where=on_days("held_on"),
    ),
)


class RegistryReader:
    """The assessment's objective items read their values here: one computation per village. A
    stock summed from entered rows (a village's collective income) is no figure where nothing was
    entered, rather than nought, so the item is left out of that subject's total."""

    def choices(self) -> list[tuple[str, str]]:
        return [
            (i.code, f"{i.name}（{i.unit}）")
            for i in REGISTRY.values()
            if not i.group_by and i.section != S and i.kind in {"count", "sum", "ratio", "median", "computed"}
        ]

    def values(
        self, regions: Iterable[Any], year: int, codes: Iterable[str]
    ) -> dict[tuple[int, str], Evidence]:
        period = periods.year(year)
        indicators = [REGISTRY[c] for c in codes if c in REGISTRY]
        found: dict[tuple[int, str], Evidence] = {}
        for region in regions:
            values = compute(region, period, indicators)
            for i in indicators:
                raw = total(values.get(i.code))
                if i.kind == "sum" and i.stock and not i.rows(region, period).exists():
                    raw = None  # a state never entered (a community's collective income): no figure
                value = None if raw is None else Decimal(raw) * (100 if i.is_rate else 1)
                url = reverse("statistics:rows", args=[i.code]) + f"?node={region.pk}&period=year&year={year}"
                found[(region.pk, i.code)] = Evidence(value, url)
        return found


register_reader(RegistryReader())
