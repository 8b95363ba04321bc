"""Forms of the estates pages: filters and the small forms that call one service each."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import DateInput, ScopedForm
from tongxin.estates.models import (
    CommitteeRole,
    DutyKind,
    EntryKind,
    EstateRules,
    FundProject,
    Grade,
    SubsidyRules,
)
from tongxin.estates.services import ESTATE_FIELDS, SUBSIDY_FIELDS
from tongxin.meetings.models import Meeting
from tongxin.members.forms import PersonChoiceField
from tongxin.organisations.models import PartyOrganisation
from tongxin.partners.models import PartnerUnit, UnitKind
from tongxin.regions.models import Level, Region


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
    done_on = forms.DateField(label=_("Done on"), widget=DateInput, initial=date.today)
    note = forms.CharField(label=_("What was done"), max_length=200)


class GradeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=this_year)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EntryKind.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), decimal_places=2)
    on = forms.DateField(label=_("Date"), widget=DateInput, initial=date.today)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    project = forms.ModelChoiceField(label=_("Project"), queryset=FundProject.objects.none(), required=False)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=40, required=False)

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]


# ---- estates and their committees ----------------------------------------------------------------


def ancestor_paths(path: str) -> list[str]:
    """'/1/5/9/' -> ['/1/', '/1/5/', '/1/5/9/']."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def firms_near(community: Region) -> Any:
    """Property firms registered at the community, above it, or below it."""
    return (
        PartnerUnit.objects.filter(kind=UnitKind.PROPERTY_FIRM, active=True)
        .filter(
            models.Q(region__path__in=ancestor_paths(community.path))
            | models.Q(region__path__startswith=community.path)
        )
        .order_by("name")
    )


class BuildingsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.parent.name}）" if obj.parent_id else obj.name


class EstateForm(forms.Form):
    """An estate of one community: its buildings and property firm are that community's."""

    required_css_class = "required"
    name = forms.CharField(label=_("Name of the estate"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    buildings = BuildingsField(label=_("Buildings"), queryset=Region.objects.none(), required=False)
    property_firm = forms.ModelChoiceField(
        label=_("Property firm"),
        queryset=PartnerUnit.objects.none(),
        required=False,
        empty_label=_("None (self-managed)"),
    )
    firm_branch = forms.ModelChoiceField(
        label=_("The firm's Party branch"),
        queryset=PartyOrganisation.objects.none(),
        required=False,
        help_text=_("For 红色物业: the firm's Party branch that leads the service here, and since when."),
    )
    red_since = forms.DateField(label=_("Party-led (红色物业) since"), widget=DateInput, required=False)

    def __init__(self, *args: Any, community: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        firms = firms_near(community)
        self.fields["buildings"].queryset = (  # type: ignore[attr-defined]
            Region.objects.filter(path__startswith=community.path, level=Level.BUILDING)
            .select_related("parent")
            .order_by("path")
        )
        self.fields["property_firm"].queryset = firms  # type: ignore[attr-defined]
        self.fields["firm_branch"].queryset = PartyOrganisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=firms.exclude(party_organisation=None).values("party_organisation")
        ).order_by("name")


ANYONE = {"members_only": False}


class TermForm(ScopedForm):
    """A new term of the 业委会 with its first member (more are added on the estate's page)."""

    required_css_class = "required"
    scoped = {"person": ANYONE}
    term_starts_on = forms.DateField(label=_("Term starts on"), widget=DateInput)
    term_ends_on = forms.DateField(label=_("Term ends on"), widget=DateInput)
    person = PersonChoiceField(label=_("First member"))
    role = forms.ChoiceField(label=_("Role"), choices=CommitteeRole.choices, initial=CommitteeRole.DIRECTOR)


class MemberForm(ScopedForm):
    required_css_class = "required"
    scoped = {"person": ANYONE}
    person = PersonChoiceField(label=_("Person"))
    role = forms.ChoiceField(label=_("Role"), choices=CommitteeRole.choices, initial=CommitteeRole.MEMBER)


class EndForm(forms.Form):
    on = forms.DateField(label=_("On"), widget=DateInput, initial=date.today)


class LinkMeetingForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Joint meeting"), queryset=Meeting.objects.none())

    def __init__(self, *args: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.fields["meeting"].label_from_instance = lambda m: (  # type: ignore[attr-defined]
            f"{m.title}（{timezone.localtime(m.scheduled_at):%Y-%m-%d}）"
        )


# ---- 自治金 and projects ----------------------------------------------------------------------------


class FundForm(forms.Form):
    required_css_class = "required"
    name = forms.CharField(label=_("Building group"), max_length=100)
    keeper_name = forms.CharField(label=_("Keeper"), max_length=50, required=False)
    buildings = BuildingsField(label=_("Buildings"), queryset=Region.objects.none(), required=False)

    def __init__(self, *args: Any, community: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buildings"].queryset = (  # type: ignore[attr-defined]
            Region.objects.filter(path__startswith=community.path, level=Level.BUILDING)
            .select_related("parent")
            .order_by("path")
        )


class FundProjectForm(forms.Form):
    required_css_class = "required"
    title = forms.CharField(label=_("Project"), max_length=120)
    budget = forms.DecimalField(
        label=_("Budget (yuan)"), min_value=Decimal(0), decimal_places=2, max_digits=10, initial=0
    )


class LocationForm(forms.Form):
    required_css_class = "required"
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    label = forms.CharField(label=_("Where (as people say it)"), max_length=120, required=False)


class _RulesForm(forms.ModelForm):
    """A new version of a rule set: every value of the version in force, to change and save from a day.
    The service checks the values (weights, shares, factors); its errors land on the fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].widget = DateInput()
        self.fields["valid_from"].help_text = _("From 1 January of this year or later.")
        self.fields["source"].label = _("Basis (document or decision)")

    def _post_clean(self) -> None:  # the service validates; no model-level checks of a half-built row
        pass


class EstateRulesForm(_RulesForm):
    class Meta:
        model = EstateRules
        fields = ["valid_from", *ESTATE_FIELDS, "source"]


class SubsidyRulesForm(_RulesForm):
    class Meta:
        model = SubsidyRules
        fields = ["valid_from", *SUBSIDY_FIELDS, "source"]
