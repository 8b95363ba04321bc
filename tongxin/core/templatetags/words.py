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


@register.filter
def period_label(value: Any) -> str:
    """A period code as people say it: “2026Q4” → “2026年第4季度”, “2026” → “2026年”."""
    text = str(value or "")
    if len(text) == 6 and text[:4].isdigit() and text[4] == "Q" and text[5] in "1234":
        return _("Q%(quarter)s %(year)s") % {"year": text[:4], "quarter": text[5]}
    if len(text) == 4 and text.isdigit():
        return _("Year %(year)s") % {"year": text}
    return text
