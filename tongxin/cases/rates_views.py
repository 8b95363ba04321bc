"""The three rates (三率: 响应率, 解决率, 满意率) per region node and period."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tongxin.cases.forms import RatesForm
from tongxin.cases.selectors import rate_rules_for, rates_by_node
from tongxin.core.access import requires
from tongxin.core.dbrouter import may_lag
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.regions.selectors import region_ancestors, region_get, region_roots

VIEW = Capability.CASES_VIEW


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else f"{value * 100:.1f}%"


def weight_text(weight: Decimal) -> str:
    """0.800 → "0.8"."""
    return format(weight.normalize(), "f")


@requires(VIEW)
@require_GET
@may_lag
def rates(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    form = RatesForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    since = data.get("since") or date(today.year, 1, 1)
    until = data.get("until") or today
    if since > until:
        since, until = until, since
    roots = region_roots(user, capability=VIEW)
    node_id = data.get("node")
    node = region_get(user, node_id, capability=VIEW) if node_id else (roots[0] if roots else None)
    rows = rates_by_node(user, node, since=since, until=until) if node is not None else []
    scope = scope_for(user, VIEW)
    rules = rate_rules_for(until)  # the version rates_by_node used
    context = {
        "form": form,
        "node": node,
        "roots": roots,
        "ancestors": region_ancestors(node, within=scope) if node is not None else [],
        "rows": [
            {
                "region": region,
                "rates": r,
                "response": _pct(r.response_rate),
                "resolution": _pct(r.resolution_rate),
                "satisfaction": _pct(r.satisfaction_rate),
            }
            for region, r in rows
        ],
        "since": since,
        "until": until,
        "rules": rules,
        "weight": weight_text(rules.basically_weight),
    }
    return render(request, "cases/rates.html", context)
