"""Figures in Chinese conventions: 12,345 with separators, 94.3%, 1,234.5 小时."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def fmt(value: Any, indicator: Any = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        value = sum(value.values())
    if indicator is not None and getattr(indicator, "kind", "") == "ratio":
        return f"{Decimal(value) * 100:.1f}%"
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return f"{int(value):,}"
        return f"{value:,.1f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


@register.filter
def figure(value: Any, indicator: Any = None) -> str:
    return fmt(value, indicator)


@register.filter
def signed(change: Any, indicator: Any = None) -> str:
    """A change against the previous period: +12, −3, ±0 (ratios in percentage points)."""
    if change is None:
        return ""
    if indicator is not None and getattr(indicator, "kind", "") == "ratio":
        points = Decimal(change) * 100
        if not points:
            return _("unchanged")
        return ("+" if points > 0 else "−") + f"{abs(points):.1f}" + _(" pt")
    if not change:
        return _("unchanged")
    return ("+" if change > 0 else "−") + fmt(abs(change))


@register.filter
def percent(value: Any) -> str:
    return "—" if value is None else f"{Decimal(value) * 100:.1f}%"
