"""The attributes of a GeoReport service definition (services/{code}), from the case form.

Case categories carry no attribute definitions of their own: every category is reported with the
same form as the resident's /report/ page. Its fields map to GeoReport like this:

- category → service_code (the second-level category code); the first level is the `group`;
- description, lat/long, address_string, first_name + last_name, phone → the standard fields;
- kind (咨询/求助/投诉/举报/建议) → attribute `kind`, a singlevaluelist (default: complaint);
- community (the resident's choice when there is no pin) → attribute `community`, a singlevaluelist
  of community codes inside the key's area; needed only without lat/long, and only when the key
  serves more than one community.

So every service has metadata=true and the same two attributes."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tongxin.cases.models import CaseKind
from tongxin.open311.selectors import communities_within
from tongxin.regions.models import Level, Region

KINDS = [k for k in CaseKind if k != CaseKind.PATROL]
ATTRIBUTE_CODES = ("kind", "community")


def definition_attributes(communities: QuerySet[Region]) -> list[dict[str, Any]]:
    return [
        {
            "variable": True,
            "code": "kind",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("One of the keys listed; complaint when not given."),
            "order": 1,
            "description": _("What kind of request is it?"),
            "values": [{"key": k.value, "name": str(k.label)} for k in KINDS],
        },
        {
            "variable": True,
            "code": "community",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _(
                "The code of the community. Needed only when the request has no lat and long."
            ),
            "order": 2,
            "description": _("Which community is it in?"),
            "values": [{"key": c.code, "name": c.name} for c in communities],
        },
    ]


def resolve_attributes(attributes: dict[str, str], *, key_region: Region) -> tuple[str, Region | None]:
    """The case's kind and the community named (or the key's own community); raises ValidationError."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(attributes) - set(ATTRIBUTE_CODES))
    if unknown:
        errors["attribute"] = [_("Unknown attribute: %(codes)s.") % {"codes": ", ".join(unknown)}]
    kind = attributes.get("kind", "")
    if kind and kind not in {k.value for k in KINDS}:
        errors["attribute[kind]"] = [_("Unknown kind; see the service definition.")]
    community = None
    code = attributes.get("community", "")
    if code:
        community = communities_within(key_region.path).filter(code=code).first()
        if community is None:
            errors["attribute[community]"] = [_("There is no such community in the area this key serves.")]
    elif key_region.level == Level.COMMUNITY:
        community = key_region
    if errors:
        raise ValidationError(errors)
    return kind, community
