"""Numbers as Chinese officials write them: 1,234 with separators, “1.5 小时”, “9,800元”, “12.5万元”.

Load with `{% load numbers %}`; the same functions serve Python code (exports, messages).
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

TEN_THOUSAND = Decimal(10_000)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _plain(value: Decimal, places: int) -> str:
    """With separators and at most `places` decimals, trailing zeros dropped: 1,234.5"""
    text = f"{value.quantize(Decimal(1).scaleb(-places)):,.{places}f}" if places else f"{value:,.0f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def count(value: Any) -> str:
    """12,345 (a dash for nothing)."""
    number = _decimal(value)
    return "—" if number is None else _plain(number, 0)


@register.filter
def hours(value: Any) -> str:
    """“2 小时”, “1.5 小时” (English: “2 hours”)."""
    number = _decimal(value) or Decimal(0)
    text = _plain(number, 1)
    return ngettext("%(n)s hour", "%(n)s hours", 1 if number == 1 else 2) % {"n": text}


@register.filter
def money(value: Any) -> str:
    """Yuan as officials write them: “9,800元” below ten thousand, “12.5万元” from there."""
    number = _decimal(value)
    if number is None:
        return "—"
    if abs(number) >= TEN_THOUSAND:
        return _("%(n)s ten-thousand yuan") % {"n": _plain(number / TEN_THOUSAND, 2)}
    return _("%(n)s yuan") % {"n": _plain(number, 2)}


@register.filter
def amount(value: Any, unit: str = "") -> str:
    """A quantity with its unit: money in 元/万元, anything else with separators (“1,200 人次”)."""
    number = _decimal(value)
    if number is None:
        return ""
    if unit.strip() in {"元", "yuan"}:
        return money(number)
    return f"{_plain(number, 2)} {unit}".strip()
