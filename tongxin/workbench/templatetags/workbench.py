"""How urgent a thing is, in words: overdue by, due in, or waiting for."""

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

SOON = timedelta(hours=24)


def span(delta: timedelta) -> str:
    """A duration in its largest whole unit: days, hours or minutes."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds >= 86400:
        n = seconds // 86400
        return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}
    if seconds >= 3600:
        n = seconds // 3600
        return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": n}
    n = max(seconds // 60, 1)
    return ngettext("%(n)s minute", "%(n)s minutes", n) % {"n": n}


def urgency_of(item: Any, now: datetime) -> tuple[str, str]:
    """(css class, words) for an item with a `due` deadline or a `since` start."""
    if item.due is not None:
        if item.due < now:
            return "urg-over", _("Overdue by %(span)s") % {"span": span(now - item.due)}
        cls = "urg-soon" if item.due - now <= SOON else "urg-later"
        return cls, _("Due in %(span)s") % {"span": span(item.due - now)}
    if item.since is not None:
        return "urg-wait", _("Waiting for %(span)s") % {"span": span(now - item.since)}
    return "urg-wait", ""


@register.simple_tag
def urgency(item: Any, now: datetime) -> SafeString:
    cls, words = urgency_of(item, now)
    if not words:
        return SafeString("")
    return format_html('<span class="urgency {}">{}</span>', cls, words)
