"""The households section of other apps' pages (a grid's, a building's, a person's), scoped to the
user: `{% load households %}{% region_households region %}` and `{% person_households person %}`.
The region and people apps sit below households; their templates reach it only through these tags."""

from typing import Any

from django import template
from django.db.models import Count, Q

from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability, scope_for
from tongxin.households import selectors
from tongxin.regions.models import Level

register = template.Library()


@register.inclusion_tag("households/_region_section.html", takes_context=True)
def region_households(context: Any, region: Any) -> dict[str, Any]:
    user = context["request"].user
    if not scope_for(user, Capability.HOUSEHOLDS_VIEW).contains(region.path) or region.level not in (
        Level.COMMUNITY,
        Level.GRID,
        Level.BUILDING,
    ):
        return {"show": False}
    counts = selectors.households_in(region).aggregate(
        total=Count("pk", filter=Q(active=True)),
    )
    links = list(selectors.links_of_grid(user, region)) if region.level == Level.GRID else []
    return {
        "show": True,
        "region": region,
        "count": counts["total"],
        "links": links,
        "can_add": _takes_households(region)
        and scope_for(user, Capability.HOUSEHOLDS_EDIT).contains(region.path),
    }


def _takes_households(region: Any) -> bool:
    """A building, or a village group (村民小组): a grid with nothing under it."""
    if region.level == Level.BUILDING:
        return True
    return region.level == Level.GRID and not region.children.exists()


@register.inclusion_tag("households/_person_section.html", takes_context=True)
def person_households(context: Any, person: Any) -> dict[str, Any]:
    user = context["request"].user
    if not has_capability(user, Capability.HOUSEHOLDS_VIEW):
        return {"show": False}
    residences = list(selectors.residences_of_person(user, person))
    links = list(selectors.links_of_person(user, person))
    return {"show": bool(residences or links), "residences": residences, "links": links}
