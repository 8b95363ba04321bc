"""Cases (诉求): intake by channel and category, 三率, overdue, supervised, whistled, closed unsolved,
reopened and the time to close. The three rates read the daily counts kept with every transition."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.cases import flow_counts
from tongxin.cases.models import (
    CONCLUDED,
    OPEN_STATUSES,
    Case,
    CaseArchiveEvent,
    CaseCategory,
    CaseSource,
    CaseTransition,
    Rating,
    Supervision,
    Whistle,
)
from tongxin.cases.selectors import region_rates
from tongxin.core.roles import Capability
from tongxin.regions.models import Level
from tongxin.statistics.indicators._helpers import NOW, both, during, labels, ratio
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator, NotKept, Source, memoized, register, section

S = section("cases", _("Cases"))

cases = Source(
    "cases",
    lambda: Case.objects.select_related("category", "community"),
    "region_path",
    Capability.CASES_VIEW,
)
dispatched = during("dispatched_at")


def _rates_field(name: str) -> Callable[[Any, Period], int]:
    """A figure of the daily counts (cases/daily_counts.py) of the cases dispatched in the period."""

    def value(node: Any, period: Period) -> int:

        rates = memoized(
            ("rates", node.pk, period.since, period.until),
            lambda: region_rates(node, since=period.since, until=period.until),
        )
        return int(getattr(rates, name))

    return value


def _kept_only(node: Any) -> None:
    """The counts are kept per community: a grid or building counts its cases instead."""

    if node.level in {Level.GRID, Level.BUILDING}:
        raise NotKept


def _flow(name: str) -> Callable[[Any, Period], int]:
    """A figure of the flow counts (cases/flow_counts.py)."""

    def value(node: Any, period: Period) -> int:

        _kept_only(node)
        flows = memoized(
            ("flows", node.pk, period.since, period.until),
            lambda: flow_counts.flows_in(node, since=period.since, until=period.until),
        )
        return flows[name]

    return value


def _received_by(field: str) -> Callable[[Any, Period], dict[Any, int]]:
    def value(node: Any, period: Period) -> dict[Any, int]:

        _kept_only(node)
        found = flow_counts.received_by(node, field, since=period.since, until=period.until)
        keyed = {(k or None) if field == "category_group" else k: n for k, n in found.items()}
        return dict(sorted(keyed.items(), key=lambda kv: -kv[1]))

    return value


def _median_close(node: Any, period: Period) -> Decimal | None:

    _kept_only(node)
    return median_of_counts(flow_counts.close_times(node, since=period.since, until=period.until))


def median_of_counts(counts: list[tuple[int, int]]) -> Decimal | None:
    """The median of values given as (value, how many), in order; values in tenths of a day."""
    n = sum(c for _v, c in counts)
    if not n:
        return None
    wanted = [(n - 1) // 2, n // 2]
    found: list[int] = []
    seen = 0
    for value, count in counts:
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return (Decimal(found[0] + found[1]) / 20).quantize(Decimal("0.1"))


def _basic_weight(node: Any, period: Period) -> Decimal:

    rates = region_rates(node, since=period.since, until=period.until)
    return Decimal(getattr(rates, "basic_weight", Decimal("0.8")))


def _category_name(pk: Any) -> str:
    if pk is None:
        return str(_("Uncategorised"))
    found = CaseCategory.objects.filter(pk=pk).values_list("name", flat=True).first()
    return found or str(pk)


def _in_subquery(model: Any, field: str) -> Callable[[Period], Q]:
    """Cases with at least one `model` row (supervision, whistle, reopening) inside the period."""

    def condition(p: Period) -> Q:
        extra = {"action": "reopen"} if model is CaseTransition else {}
        ids = model.objects.filter(**{f"{field}__gte": p.start, f"{field}__lt": p.end}, **extra).values(
            "case_id"
        )
        return Q(pk__in=ids)

    return condition


def _reopened(node: Any, p: Period) -> int:
    """Cases reopened in the period: their transition rows, or the events kept when their history
    was archived (cases/archive.py), so archiving changes no figure."""
    rows = [
        model.objects.filter(
            case__region_path__gte=node.path,
            case__region_path__lt=node.path + "~",
            at__gte=p.start,
            at__lt=p.end,
            action="reopen",
        )
        .order_by()  # SQLite allows no ORDER BY (the models' default) inside a UNION
        .values("case_id")
        for model in (CaseTransition, CaseArchiveEvent)
    ]
    return rows[0].union(rows[1]).count()


def _reopened_where(p: Period) -> Q:
    during = {"at__gte": p.start, "at__lt": p.end, "action": "reopen"}
    return Q(pk__in=CaseTransition.objects.filter(**during).values("case_id")) | Q(
        pk__in=CaseArchiveEvent.objects.filter(**during).values("case_id")
    )


def _open_now(node: Any, p: Period) -> int:
    """Open cases through the (status, region path) index: few, whatever the node's history. A count
    of today: the period and the one before read it once."""
    return int(
        memoized(
            ("open now", node.pk),
            lambda: Case.objects.filter(
                status__in=list(OPEN_STATUSES), region_path__gte=node.path, region_path__lt=node.path + "~"
            ).count(),
        )
    )


def _cases_with(model: Any, field: str, *, path: str = "community_path") -> Callable[[Any, Period], int]:
    """Cases with a `model` row (supervision, whistle, reopening) in the period, read from the small
    side: the period's rows through the index on their time and their area. Supervisions and
    whistles carry their case's community path (one index range; a grid counts its cases instead);
    reopenings reach it through their case."""

    def value(node: Any, p: Period) -> int:
        if path == "community_path":
            _kept_only(node)
        extra = {"action": "reopen"} if model is CaseTransition else {}
        return (
            model.objects.filter(
                **{f"{path}__gte": node.path, f"{path}__lt": node.path + "~"},
                **{f"{field}__gte": p.start, f"{field}__lt": p.end},
                **extra,
            )
            .values("case_id")
            .distinct()
            .count()
        )

    return value


register(
    Indicator(
        code="cases.received",
        section=S,
        name=_("Cases received"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases reported in the period through every channel (web, patrol, 12345, camera, API)."),
        source=cases,
        fast=_flow("received"),
        where=during("reported_at"),
        headline=True,
        trend=True,
        month_field="reported_at",
    ),
    Indicator(
        code="cases.received_by_channel",
        section=S,
        name=_("Cases received by channel"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases reported in the period, by the channel they came through."),
        source=cases,
        fast=_received_by("source"),
        where=during("reported_at"),
        group_by="source",
        group_label=labels(CaseSource),
    ),
    Indicator(
        code="cases.received_by_category",
        section=S,
        name=_("Cases received by category"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases reported in the period, by first-level category."),
        source=cases,
        fast=_received_by("category_group"),
        where=during("reported_at"),
        group_by="category__parent",
        group_label=_category_name,
    ),
    Indicator(
        code="cases.dispatched",
        section=S,
        name=_("Cases dispatched"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases first dispatched (派单) in the period: the denominator of 响应率."),
        source=cases,
        where=dispatched,
        fast=_rates_field("dispatched"),
    ),
    Indicator(
        code="cases.responded_in_time",
        section=S,
        name=_("Cases responded to in time"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_(
            "Cases dispatched in the period whose handler accepted and made contact within the response "
            "limit, by the recorded times."
        ),
        source=cases,
        where=both(dispatched, lambda p: Q(responded_at__isnull=False, responded_at__lte=F("response_due"))),
        fast=_rates_field("responded_in_time"),
    ),
    Indicator(
        code="cases.concluded",
        section=S,
        name=_("Cases concluded"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_(
            "Cases dispatched in the period that are closed, solved or not, with or without a follow-up "
            "call: the denominator of 解决率."
        ),
        source=cases,
        where=both(dispatched, CONCLUDED),
        fast=_rates_field("concluded"),
    ),
    Indicator(
        code="cases.solved",
        section=S,
        name=_("Cases confirmed solved"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_(
            "Cases dispatched in the period that the resident confirmed solved at the follow-up (回访)."
        ),
        source=cases,
        where=both(dispatched, Q(solved_confirmed=True)),
        fast=_rates_field("solved"),
    ),
    Indicator(
        code="cases.rated",
        section=S,
        name=_("Cases rated"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases dispatched in the period that the resident rated: the denominator of 满意率."),
        source=cases,
        where=both(dispatched, ~Q(rating="")),
        fast=_rates_field("rated"),
    ),
    Indicator(
        code="cases.satisfied",
        section=S,
        name=_("Cases rated satisfied"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases dispatched in the period rated 满意."),
        source=cases,
        where=both(dispatched, Q(rating=Rating.SATISFIED)),
        fast=_rates_field("satisfied"),
    ),
    Indicator(
        code="cases.basically",
        section=S,
        name=_("Cases rated basically satisfied"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases dispatched in the period rated 基本满意."),
        source=cases,
        where=both(dispatched, Q(rating=Rating.BASICALLY)),
        fast=_rates_field("basically"),
    ),
    ratio(
        code="cases.response_rate",
        section=S,
        name=_("响应率 (response rate)"),
        definition=_("Cases responded to within the response limit ÷ cases dispatched in the period."),
        numerator="cases.responded_in_time",
        denominator="cases.dispatched",
        headline=True,
    ),
    ratio(
        code="cases.resolution_rate",
        section=S,
        name=_("解决率 (resolution rate)"),
        definition=_(
            "Cases the resident confirmed solved ÷ cases concluded (closed solved or unsolved), both "
            "among the cases dispatched in the period. A case closed unsolved counts against the rate."
        ),
        numerator="cases.solved",
        denominator="cases.concluded",
        headline=True,
    ),
    ratio(
        code="cases.satisfaction_rate",
        section=S,
        name=_("满意率 (satisfaction rate)"),
        definition=_(
            "(Cases rated 满意 + the configured weight × cases rated 基本满意) ÷ cases rated, among the "
            "cases dispatched in the period."
        ),
        numerator="cases.satisfied",
        denominator="cases.rated",
        bonus="cases.basically",
        bonus_weight=_basic_weight,
        headline=True,
    ),
    Indicator(
        code="cases.closed",
        section=S,
        name=_("Cases closed"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases closed in the period, solved or not."),
        source=cases,
        fast=_flow("closed"),
        where=both(during("closed_at"), CONCLUDED),
        trend=True,
        month_field="closed_at",
        headline=True,
    ),
    Indicator(
        code="cases.closed_unsolved",
        section=S,
        name=_("Cases closed unsolved"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases closed in the period without the resident confirming them solved (办结未解决)."),
        source=cases,
        fast=_flow("closed_unsolved"),
        where=both(during("closed_at"), CONCLUDED, ~Q(solved_confirmed=True)),
        higher_is_better=False,
    ),
    Indicator(
        code="cases.days_to_close",
        section=S,
        kind="median",
        name=_("Median days to close"),
        unit=pgettext_lazy("unit of a figure", "days"),
        definition=_(
            "The median time from report to closing of the cases closed in the period, in calendar "
            "days, each time counted to a tenth of a day."
        ),
        source=cases,
        fast=_median_close,
        where=both(during("closed_at"), CONCLUDED),
        between=("reported_at", "closed_at"),
        higher_is_better=False,
    ),
    Indicator(
        code="cases.open",
        section=S,
        name=_("Open cases"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_(
            "Cases open today (reported and not yet closed, rejected or merged): the current backlog."
        ),
        source=cases,
        fast=_open_now,
        where=lambda p: Q(status__in=list(OPEN_STATUSES)),
        stock=True,
        higher_is_better=False,
        tags=NOW,
    ),
    Indicator(
        code="cases.overdue",
        section=S,
        name=_("Cases that ran out of time"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases whose handling limit ran out in the period (recorded by the deadline worker)."),
        source=cases,
        fast=_flow("overdue"),
        where=during("overdue_at"),
        higher_is_better=False,
    ),
    Indicator(
        code="cases.supervised",
        section=S,
        name=_("Cases supervised"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_(
            "Cases that received at least one supervision note (督办) in the period, by a person or "
            "the worker."
        ),
        source=cases,
        fast=_cases_with(Supervision, "created_at"),
        where=_in_subquery(Supervision, "created_at"),
        higher_is_better=False,
    ),
    Indicator(
        code="cases.whistled",
        section=S,
        name=_("Cases whistled upward"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases whistled (吹哨) to a higher level or a department in the period."),
        source=cases,
        fast=_cases_with(Whistle, "whistled_at"),
        where=_in_subquery(Whistle, "whistled_at"),
        higher_is_better=None,
    ),
    Indicator(
        code="cases.reported_back",
        section=S,
        name=_("Whistles answered (报到)"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases whose whistled party reported (报到) in the period."),
        source=cases,
        fast=_cases_with(Whistle, "reported_at"),
        where=_in_subquery(Whistle, "reported_at"),
    ),
    Indicator(
        code="cases.reopened",
        section=S,
        name=_("Cases reopened"),
        unit=pgettext_lazy("unit of a figure", "cases"),
        definition=_("Cases reopened in the period by the community or by the resident's rating."),
        source=cases,
        fast=_reopened,
        where=_reopened_where,
        higher_is_better=False,
    ),
)
