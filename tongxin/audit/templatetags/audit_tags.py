"""How an audited edit reads on the audit page: each changed field by its name in the user's language."""

import contextlib
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

register = template.Library()

# personal fields are stored encrypted under other names: what they are called on a page
PERSONAL = {"phone": _("phone"), "id_card": _("ID-card number"), "contact": _("phone")}


@register.filter
def changed_fields(detail: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(label, old, new) of an audited edit's detail; [] for any other detail."""
    changes = detail.get("changes") if isinstance(detail, dict) else None
    if not isinstance(changes, dict):
        return []
    try:
        meta = apps.get_model(detail.get("model", ""))._meta
    except (LookupError, ValueError, ImproperlyConfigured):
        meta = None
    rows = []
    for name, pair in changes.items():
        label: Any = PERSONAL.get(name, name)
        if meta is not None and name not in PERSONAL:
            with contextlib.suppress(FieldDoesNotExist):
                label = meta.get_field(name).verbose_name
        old, new = ([*pair, None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((str(label), _shown(old), _shown(new)))
    return rows


def _shown(value: Any) -> Any:
    if isinstance(value, dict) and "name" in value:
        return value["name"]
    return "—" if value in (None, "") else value
