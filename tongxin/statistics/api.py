"""/api/v1/statistics/: the registry, values by node and period (and per child), the rows behind a
value, and annual targets. Everything reads the same registry as the pages."""

from contextlib import nullcontext
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from ninja import Query, Router

from tongxin.core.api import ApiError, require_capability
from tongxin.core.dbrouter import may_lag
from tongxin.core.roles import Capability
from tongxin.core.schemas import CURSOR_HELP, Page
from tongxin.statistics import kept, selectors
from tongxin.statistics.periods import Period, PeriodError, from_params
from tongxin.statistics.registry import REGISTRY
from tongxin.statistics.schemas import (
    ChildrenOut,
    IndicatorOut,
    PeriodQuery,
    RowsOut,
    TargetIn,
    TargetOut,
    ValuesOut,
)
from tongxin.statistics.services import target_set

router = Router()
VIEW = Capability.STATISTICS_VIEW


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    return value


def _node_period(request: HttpRequest, query: PeriodQuery) -> tuple[Any, Period]:
    require_capability(request.user, VIEW)
    if query.node is not None:
        node = selectors.node_get(request.user, query.node)
    else:
        roots = selectors.node_roots(request.user)
        if not roots:
            raise ApiError(404, "not_found", "No region in your scope.")
        node = roots[0]
    params = {k: v for k, v in query.dict().items() if v is not None}
    try:
        return node, from_params(params)
    except PeriodError as e:
        raise ApiError(422, "invalid_period", str(e))


def _node(node: Any) -> dict[str, Any]:
    return {"id": node.pk, "name": node.name, "code": node.code, "level": node.level}


@router.get("/indicators", response=list[IndicatorOut], summary="The indicator registry")
def indicators(request: HttpRequest) -> list[dict[str, Any]]:
    """Every indicator: code, names, unit, definition in words, kind (count, sum, ratio, median, computed)."""
    require_capability(request.user, VIEW)
    return [
        {
            "code": i.code,
            "section": i.section,
            "name": str(i.name),
            "unit": str(i.unit),
            "definition": str(i.definition),
            "kind": i.kind,
            "breakdown": bool(i.group_by),
            "stock": i.stock,
            "targeted": i.targeted,
            "numerator": i.numerator or None,
            "denominator": i.denominator or None,
        }
        for i in REGISTRY.values()
    ]


@router.get("/values", response=ValuesOut, summary="Values of a node for a period")
@may_lag
def values(
    request: HttpRequest, query: Query[PeriodQuery], codes: str = "", live: bool = False
) -> dict[str, Any]:
    """Each indicator you may read at the node, with the previous period's value, the change and the
    annual target with the share done. `codes`: a comma-separated choice of indicator codes. The
    values are the kept figures when fresh ones exist (`as_of` says when they were computed);
    `live=true` counts them now."""
    node, period = _node_period(request, query)
    chosen = [c for c in codes.split(",") if c] or None
    with kept.reading() if not live else nullcontext() as reading:
        found = selectors.figures(request.user, node, period, codes=chosen)
    base = {"node": node.pk, **period.query()}
    previous = period.previous()
    return {
        "node": _node(node),
        "since": period.since,
        "until": period.until,
        "previous_since": previous.since,
        "previous_until": previous.until,
        "as_of": reading.as_of if reading is not None else None,
        "values": [
            {
                "code": f.indicator.code,
                "value": _json(f.value),
                "previous": _json(f.previous),
                "change": _json(f.change),
                "target": _json(f.target),
                "share": _json(f.share),
                "groups": [{"key": k, "label": label, "value": n} for k, label, n in f.groups] or None,
                "rows_url": reverse("api:statistics_rows", args=[f.indicator.code]) + "?" + urlencode(base),
            }
            for f in found
        ],
    }


@router.get("/children", response=ChildrenOut, summary="Values of each child of a node")
@may_lag
def children(
    request: HttpRequest, query: Query[PeriodQuery], codes: str = "", live: bool = False
) -> dict[str, Any]:
    """Values of each child (the kept figures when fresh: `as_of`; `live=true` counts them now)."""
    node, period = _node_period(request, query)
    chosen = [c for c in codes.split(",") if c] or [i.code for i in REGISTRY.values() if not i.group_by]
    with kept.reading() if not live else nullcontext() as reading:
        found = selectors.children_values(request.user, node, period, chosen)
    return {
        "node": _node(node),
        "since": period.since,
        "until": period.until,
        "as_of": reading.as_of if reading is not None else None,
        "children": [
            {"node": _node(child), "values": {k: _json(v) for k, v in values.items() if k in chosen}}
            for child, values in found
        ],
    }


@router.get("/rows/{code}", response=RowsOut, url_name="statistics_rows", summary="The rows behind a value")
@may_lag
def rows(
    request: HttpRequest,
    code: str,
    query: Query[PeriodQuery],
    part: str = "",
    group: str | None = None,
    offset: int = 0,
    limit: int = 100,
    cursor: str | None = Query(None, description=CURSOR_HELP),
) -> dict[str, Any]:
    """Exactly the rows a value counts (for a rate: part=numerator or denominator), in pages by
    `cursor` (keyset; `offset` is deprecated and ignored with a cursor)."""
    node, period = _node_period(request, query)
    if not 0 <= offset <= 10**9 or not 1 <= limit <= 500:
        raise ApiError(422, "invalid", "offset must be ≥ 0 and limit between 1 and 500.")
    indicator = selectors.indicator_get(request.user, code, node)
    found = selectors.rows_of(indicator, node, period, group=group, part=part)
    count = len(found) if isinstance(found, list) else found.count()
    items = []
    frame = Page.window(found, SimpleNamespace(cursor=cursor, offset=offset), limit)
    for row in frame.rows:
        url = None
        if hasattr(row, "get_absolute_url"):
            try:
                url = row.get_absolute_url()
            except Exception:
                url = None
        items.append({"id": row.pk, "label": str(row), "url": url})
    return {
        "code": code,
        "count": count,
        "offset": None if cursor else offset,
        "items": items,
        "next_cursor": frame.next_cursor,
        "previous_cursor": frame.previous_cursor,
    }


@router.put("/targets", response=TargetOut, summary="Set an annual target")
def put_target(request: HttpRequest, payload: TargetIn) -> dict[str, Any]:
    require_capability(request.user, Capability.STATISTICS_TARGETS)
    node = selectors.node_get(request.user, payload.node)
    target = target_set(
        actor=request.user,
        indicator=payload.indicator,
        region=node,
        year=payload.year,
        value=Decimal(str(payload.value)),
        note=payload.note,
    )
    return {
        "indicator": target.indicator,
        "node": node.pk,
        "year": target.year,
        "value": float(target.value),
        "note": target.note,
    }
