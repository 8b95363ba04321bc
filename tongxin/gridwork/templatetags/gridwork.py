"""The household page's activity section (its visits and other log entries, and the cases its
findings became), drawn from the grid-work app into the households page's slot."""

from typing import Any

from django import template

from tongxin.core.scope import scope_for
from tongxin.gridwork.selectors import household_activity
from tongxin.gridwork.services import RECORD

register = template.Library()


@register.inclusion_tag("gridwork/_household_activity.html", takes_context=True)
def household_log(context: Any, household: Any, limit: int = 20) -> dict[str, Any]:
    """Shown on a page the user may see; recording needs the grid in their recording scope."""
    entries = household_activity(household, limit=limit)
    user = context["request"].user
    return {
        "household": household,
        "entries": entries,
        "can_record": scope_for(user, RECORD).contains(household.region_path),
    }
