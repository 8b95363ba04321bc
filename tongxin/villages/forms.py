from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.villages.models import PropertyReform


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=Decimal("0"), max_digits=12, decimal_places=2, initial=Decimal("0")
    )


class EconomyForm(forms.Form):
    """A village's year, in 万元 with two decimals."""

    operating_income = _money(_("operating income (经营性收入)"))
    contracting_income = _money(_("contracting and remitted income (发包及上交收入)"))
    investment_income = _money(_("investment returns (投资收益)"))
    subsidy_income = _money(_("subsidies (补助收入)"))
    other_income = _money(_("other income (其他收入)"))
    assets = _money(_("assets (资产)"))
    liabilities = _money(_("liabilities (负债)"))
    property_reform = forms.ChoiceField(
        label=_("collective property reform (集体产权改革)"), choices=PropertyReform.choices
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel ledger (.xlsx)"))
