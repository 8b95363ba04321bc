from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import DateInput
from tongxin.statistics.periods import MAX_YEAR, MIN_YEAR


class PeriodForm(forms.Form):
    """The period picker of the overview (GET)."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
            ("custom", _("Custom range")),
        ],
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    q = forms.TypedChoiceField(
        label=_("Quarter"), choices=[(i, str(i)) for i in range(1, 5)], coerce=int, required=False
    )
    month = forms.TypedChoiceField(
        label=_("Month"), choices=[(i, str(i)) for i in range(1, 13)], coerce=int, required=False
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Figure"))
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    value = forms.DecimalField(label=_("Target"), min_value=0, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["indicator"].choices = choices  # type: ignore[attr-defined]
        self.fields["year"].initial = date.today().year
