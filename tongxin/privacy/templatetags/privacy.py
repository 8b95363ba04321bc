"""{% privacy_notice "cases.Case" %}: the short notice (告知) on a form that takes personal data,
with the purposes the registry gives for the models the form writes and a link to /privacy/."""

from typing import Any

from django import template

from tongxin.privacy.registry import purposes_of

register = template.Library()


@register.inclusion_tag("privacy/_notice.html")
def privacy_notice(*models: str) -> dict[str, Any]:
    return {"purposes": purposes_of(*models)}
