"""Pages of the figures: the overview (工作台) of a node and period, the rows behind a figure, the map
of the children, the Excel ledger and the annual targets."""

from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.access import requires
from tongxin.core.dbrouter import may_lag
from tongxin.core.pages import paginate
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.regions.selectors import region_ancestors
from tongxin.statistics import kept, selectors
from tongxin.statistics import ledger as ledger_book
from tongxin.statistics.forms import PeriodForm, TargetForm
from tongxin.statistics.models import Target
from tongxin.statistics.periods import Period, PeriodError, from_params
from tongxin.statistics.registry import REGISTRY, SECTIONS
from tongxin.statistics.services import target_set
from tongxin.statistics.templatetags.figures import fmt

VIEW = Capability.STATISTICS_VIEW
TARGETS = Capability.STATISTICS_TARGETS
# drawn as monthly lines and offered for colouring the map
MAP_CHOICES = [
    "cases.received",
    "cases.open",
    "cases.resolution_rate",
    "cases.satisfaction_rate",
    "cobuilding.needs",
    "members.reported",
    "members.services",
    "partylife.compliance",
]


def _node_and_period(request: HttpRequest) -> tuple[Any, Period]:
    node, period, _error = _node_period_error(request)
    return node, period


def _node_period_error(request: HttpRequest) -> tuple[Any, Period, str | None]:
    """The node (default: the user's first root) and period of a request; 404 outside scope. A period
    that cannot be read gives this year so far, with the reason."""
    node_id = request.GET.get("node")
    if node_id:
        node = selectors.node_get(request.user, node_id)
    else:
        roots = selectors.node_roots(request.user)
        if not roots:
            raise Http404
        node = roots[0]
    try:
        return node, from_params(request.GET), None
    except PeriodError as e:
        return node, from_params({}), str(e)


def _query(node: Any, period: Period, **extra: Any) -> str:
    return urlencode({"node": node.pk, **period.query(), **{k: v for k, v in extra.items() if v is not None}})


@requires(VIEW)
@require_GET
@may_lag
def overview(request: HttpRequest) -> HttpResponse:
    node, period, error = _node_period_error(request)
    live = request.GET.get("live") == "1"  # counted now instead of read from the kept figures
    with kept.reading() if not live else nullcontext() as reading:
        found = selectors.figures(request.user, node, period)
        labels, series = selectors.monthly(
            request.user, node, period, [i.code for i in REGISTRY.values() if i.trend]
        )
    query = _query(node, period)
    headline = [f for f in found if f.indicator.headline]
    breakdowns = [f for f in found if f.groups]
    charts = {
        "months": labels,
        "series": [{"name": str(REGISTRY[code].name), "data": values} for code, values in series.items()],
        "bars": [
            {
                "code": f.indicator.code,
                "name": str(f.indicator.name),
                "labels": [label for _k, label, _n in f.groups],
                "values": [n for _k, _l, n in f.groups],
            }
            for f in breakdowns
        ],
    }
    map_codes = [c for c in MAP_CHOICES if selectors.visible(request.user, node, [c])]
    asked = request.GET.get("colour")
    chosen = asked if asked in map_codes else (map_codes[0] if map_codes else None)
    scope = scope_for(request.user, VIEW)
    context = {
        "node": node,
        "period": period,
        "previous": period.previous(),
        "form": PeriodForm(initial={**period.query(), "since": period.since, "until": period.until}),
        "error": error,
        "as_of": reading.as_of if reading is not None else None,
        "live_url": reverse("statistics:overview") + "?" + _query(node, period, live="1"),
        "headline": headline,
        "sections": selectors.by_section([f for f in found if not f.indicator.headline or f.groups]),
        "query": query,
        "period_query": urlencode(period.query()),
        "ancestors": region_ancestors(node, within=scope),
        "children": selectors.children_of(node),
        "charts": charts,
        "map_choices": [(c, REGISTRY[c].name) for c in map_codes],
        "colour": chosen,
        "stats_map_url": reverse("statistics:map") + "?" + _query(node, period, colour=chosen),
        "tile_url": settings.TONGXIN_TILE_URL,
        "may_set_targets": scope_for(request.user, TARGETS).contains(node.path),
    }
    return render(request, "statistics/overview.html", context)


@requires(VIEW)
@require_GET
@may_lag
def rows(request: HttpRequest, code: str) -> HttpResponse:
    node, period = _node_and_period(request)
    indicator = selectors.indicator_get(request.user, code, node)
    part = request.GET.get("part", "")
    group = request.GET.get("group")
    found = selectors.rows_of(indicator, node, period, group=group, part=part)
    listed = (
        REGISTRY[indicator.denominator if part == "denominator" else indicator.numerator]
        if indicator.is_rate
        else indicator
    )
    page = paginate(request, found, 50)
    group_label = None
    if group is not None and indicator.group_label is not None:
        group_label = indicator.group_label(None if group in ("", "None") else _coerce(group))
    context = {
        "node": node,
        "period": period,
        "indicator": indicator,
        "listed": listed,
        "part": part,
        "group": group,
        "group_label": group_label,
        "page": page,
        "count": page.paginator.count,
        "items": [_describe(row) for row in page.object_list],
        "query": _query(node, period),
        "page_query": _query(node, period, part=part or None, group=group),
    }
    return render(request, "statistics/rows.html", context)


def _coerce(value: str) -> Any:
    return int(value) if value.isdigit() else value


def _describe(row: Any) -> dict[str, Any]:
    """How a row of any model reads in the trace list: its name, its page and its main date."""
    url = None
    if hasattr(row, "get_absolute_url"):
        try:
            url = row.get_absolute_url()
        except Exception:  # a model whose page needs more than its id
            url = None
    when = None
    for name in (
        "reported_at",
        "held_at",
        "held_on",
        "on",
        "created_at",
        "starts_at",
        "reported_on",
        "starts_on",
    ):
        when = getattr(row, name, None)
        if when is not None:
            break
    status = row.get_status_display() if hasattr(row, "get_status_display") else ""
    return {"label": str(row), "url": url, "when": when, "status": status}


@requires(VIEW)
@require_GET
@may_lag
def map_data(request: HttpRequest) -> JsonResponse:
    """GeoJSON of the node's children coloured by one indicator (the overview's map)."""
    node, period = _node_and_period(request)
    code = request.GET.get("colour") or "cases.received"
    indicator = selectors.indicator_get(request.user, code, node)
    features = []
    values = []
    with kept.reading():
        children = selectors.children_values(request.user, node, period, [code])
    for child, found in children:
        value = found.get(code)
        number = float(value) if isinstance(value, Decimal) else value
        if number is not None:
            values.append(number)
        features.append(
            child.as_feature(
                value=number,
                label=fmt(value, indicator),
                url=reverse("statistics:overview") + "?" + _query(child, period, colour=code),
            )
        )
    own = node.geometry
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "node": {"name": node.name, "geometry": own},
            "indicator": {"code": code, "name": str(indicator.name), "unit": str(indicator.unit)},
            "min": min(values) if values else None,
            "max": max(values) if values else None,
        }
    )


@requires(VIEW)
@require_GET
@may_lag
def ledger(request: HttpRequest) -> HttpResponse:
    node, period = _node_and_period(request)
    content = ledger_book.workbook(request.user, node, period)

    audit_record(
        action=Action.EXPORT,
        actor=request.user,
        request=request,
        region=node,
        target="statistics:ledger",
        detail={"since": period.since.isoformat(), "until": period.until.isoformat()},
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"ledger-{node.code}-{period.since.isoformat()}-{period.until.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires(VIEW)
@require_GET
def definitions(request: HttpRequest) -> HttpResponse:
    """Every indicator with its definition: what each figure counts."""
    return render(
        request,
        "statistics/definitions.html",
        {
            "sections": [
                (s, [i for i in REGISTRY.values() if i.section == key]) for key, s in SECTIONS.items()
            ]
        },
    )


@requires(TARGETS)
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    node_id = request.GET.get("node") or request.POST.get("node")
    scope = scope_for(request.user, TARGETS)
    node = selectors.node_get(request.user, node_id) if node_id else selectors.node_roots(request.user)[0]
    if not scope.contains(node.path):
        raise Http404
    choices = [(i.code, str(i.name)) for i in REGISTRY.values() if i.targeted]
    form = TargetForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            target_set(
                actor=request.user,
                indicator=form.cleaned_data["indicator"],
                region=node,
                year=form.cleaned_data["year"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            for field_name, errors in e.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
        else:
            messages.success(request, _("The target is saved."))
            return redirect(reverse("statistics:targets") + f"?node={node.pk}")
    rows = [
        {
            "target": t,
            "indicator": REGISTRY.get(t.indicator),
        }
        for t in Target.objects.filter(region__path__gte=node.path, region__path__lt=node.path + "~")
        .select_related("region")
        .order_by("-year", "indicator", "region__path")[:500]
    ]
    return render(
        request,
        "statistics/targets.html",
        {"node": node, "form": form, "rows": rows, "ancestors": region_ancestors(node, within=scope)},
    )
