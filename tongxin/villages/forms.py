from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.forms import DateInput
from tongxin.villages.models import EnterpriseKind, ProjectKind, ProjectStatus, PropertyReform


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


class ProjectForm(forms.Form):
    """A 5+N project; its kind and the year it started are set when it is made."""

    required_css_class = "required"

    name = forms.CharField(label=pgettext_lazy("project or enterprise", "Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    investment = _money(_("Investment (万元)"))
    year = forms.IntegerField(label=_("Year started"), min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"], self.fields["year"]


class ReturnForm(forms.Form):
    """What a project returned in a year (a second entry for the year replaces the first)."""

    required_css_class = "required"

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=_("Returns (万元)"), min_value=Decimal("0"), max_digits=12, decimal_places=2
    )


class EnterpriseForm(forms.Form):
    required_css_class = "required"

    name = forms.CharField(label=pgettext_lazy("project or enterprise", "Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=EnterpriseKind.choices)
    registered_capital = _money(_("Registered capital (万元)"))
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput())
    active = forms.BooleanField(
        label=pgettext_lazy("enterprise", "Still operating"),
        required=False,
        initial=True,
        help_text=_("Untick when the company or cooperative is closed or deregistered."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["active"]


TIER_ROWS = 6


class TierSchemeForm(forms.Form):
    """A new version of the income tiers: up to six tiers from the highest down, each with its name
    and threshold (万元); the lowest starts at 0. Blank rows are left out."""

    year_from = forms.IntegerField(label=_("In force from the year"), min_value=2000, max_value=2100)
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("The document that sets these tiers, e.g. the county's three-year action plan."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, TIER_ROWS + 1):
            self.fields[f"name_{n}"] = forms.CharField(
                label=_("Tier %(n)s: name") % {"n": n}, max_length=40, required=False
            )
            self.fields[f"min_{n}"] = forms.DecimalField(
                label=_("Tier %(n)s: at least (万元)") % {"n": n},
                min_value=Decimal("0"),
                max_digits=12,
                decimal_places=2,
                required=False,
            )
            self.fields[f"weak_{n}"] = forms.BooleanField(
                label=_("Tier %(n)s: weak villages (薄弱村)") % {"n": n}, required=False
            )

    def rows(self) -> list[tuple[int, Any, Any, Any]]:
        """The form's tier rows for the template: (n, name field, threshold field, weak field)."""
        return [(n, self[f"name_{n}"], self[f"min_{n}"], self[f"weak_{n}"]) for n in range(1, TIER_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, TIER_ROWS + 1):
            name, low = data.get(f"name_{n}"), data.get(f"min_{n}")
            if bool(name) != (low is not None):
                self.add_error(
                    f"name_{n}", _("Give both the name and the threshold, or leave the row blank.")
                )
        return data

    def tiers(self) -> list[tuple[str, Any, bool]]:
        data = self.cleaned_data
        return [
            (data[f"name_{n}"], data[f"min_{n}"], data[f"weak_{n}"])
            for n in range(1, TIER_ROWS + 1)
            if data.get(f"name_{n}") and data.get(f"min_{n}") is not None
        ]

    @staticmethod
    def initial_from(tiers: list[Any], year: int) -> dict[str, Any]:
        initial: dict[str, Any] = {"year_from": year}
        for n, tier in enumerate(tiers, start=1):
            initial |= {f"name_{n}": tier.name, f"min_{n}": tier.min_income, f"weak_{n}": tier.weak}
        return initial
