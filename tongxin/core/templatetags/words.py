"""Internal values as officials read them: `{% load words %}`."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()

DEFAULT_PREFIX = "tongxin-"


@register.filter
def version_label(value: Any) -> str:
    """A rules version: Tongxin's shipped defaults (“tongxin-2026.1”) read as “同心默认 2026.1 版”;
    versions named by officials stay as they wrote them."""
    text = str(value or "")
    if text.startswith(DEFAULT_PREFIX):
        return _("Tongxin default, version %(number)s") % {"number": text[len(DEFAULT_PREFIX) :]}
    return text
