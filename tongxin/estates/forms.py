"""Forms of the estates pages: filters and the small forms that call one service each."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.estates.models import DutyKind, EntryKind, FundProject, Grade
from tongxin.regions.models import Region


def this_year() -> int:
    return timezone.localdate().year


class YearForm(forms.Form):
    """?year= (this year by default), a period form's little sister for the exports."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def year_or_default(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return this_year()

    def values(self) -> dict[str, Any]:
        return {"year": self.year_or_default()}


class CommunityFilter(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Region.objects.none(), required=False)

    def __init__(self, *args: Any, communities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["community"].empty_label = _("All communities in my area")  # type: ignore[attr-defined]


class ScoreForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(
        label=_("The street's score (0–100)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        required=False,
    )
    note = forms.CharField(label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ComputeForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=this_year)

    def __init__(self, *args: Any, communities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class DutyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of work"), choices=DutyKind.choices)
    done_on = forms.DateField(
        label=_("Done on"), widget=forms.DateInput(attrs={"type": "date"}), initial=date.today
    )
    note = forms.CharField(label=_("What was done"), max_length=200)


class GradeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=this_year)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EntryKind.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), decimal_places=2)
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=date.today)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    project = forms.ModelChoiceField(label=_("Project"), queryset=FundProject.objects.none(), required=False)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=40, required=False)

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
