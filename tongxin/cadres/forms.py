"""Forms of the cadre pages: the roster's filter, a profile, a term, an election and taking office."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.cadres.composition import MEASURES
from tongxin.cadres.models import COMMITTEE_POSITIONS, Committee, Education, PoliticalStatus
from tongxin.cadres.services import CandidateRow
from tongxin.core.forms import DateInput, ScopedForm
from tongxin.core.roles import Capability
from tongxin.people.forms import PersonSelect
from tongxin.people.models import Person, PositionKind
from tongxin.people.selectors import people_visible
from tongxin.regions.forms import RegionChoiceField
from tongxin.regions.models import Level, Region

VIEW = Capability.CADRES_VIEW
CANDIDATE_ROWS = 9
NODE_LEVELS = [Level.COUNTY, Level.STREET, Level.COMMUNITY]


class RosterForm(ScopedForm):
    node = RegionChoiceField(label=_("Area"), required=False)
    on = forms.DateField(label=_("On"), required=False, widget=DateInput())
    measure = forms.ChoiceField(label=_("Only"), required=False, choices=[("", _("Everyone")), *MEASURES])
    scoped = {"node": {"capability": VIEW, "levels": NODE_LEVELS}}


class ChangesForm(ScopedForm):
    node = RegionChoiceField(label=_("Area"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    scoped = {"node": {"capability": VIEW, "levels": NODE_LEVELS}}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end is before the start."))
        return data


class TermsForm(ScopedForm):
    node = RegionChoiceField(label=_("Area"), required=False)
    scoped = {"node": {"capability": VIEW, "levels": NODE_LEVELS}}


class ProfileForm(forms.Form):
    required_css_class = "required"
    education = forms.ChoiceField(label=_("Education (学历)"), choices=[("", "—"), *Education.choices])
    major = forms.CharField(label=_("Field of study"), max_length=60, required=False)
    upgrade_level = forms.ChoiceField(
        label=_("Studying for (学历提升)"),
        choices=[("", _("Not studying")), *Education.choices],
        required=False,
    )
    upgrade_school = forms.CharField(label=_("School"), max_length=100, required=False)
    upgrade_expected_on = forms.DateField(
        label=_("Expected to graduate on"), required=False, widget=DateInput()
    )
    political_status = forms.ChoiceField(
        label=_("Political status if not a Party member"), choices=PoliticalStatus.choices
    )
    wealth_leader = forms.BooleanField(label=_("Leads villagers to prosperity (致富能手)"), required=False)
    college_graduate_cadre = forms.BooleanField(
        label=_("College-graduate village cadre (大学生村干部)"), required=False
    )
    veteran = forms.BooleanField(label=_("Veteran (退役军人)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TermOpenForm(forms.Form):
    required_css_class = "required"
    committee = forms.ChoiceField(
        label=pgettext_lazy("two committees", "Committee"), choices=Committee.choices
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    number = forms.IntegerField(
        label=pgettext_lazy("term", "Number (届次)"), min_value=1, max_value=99, required=False
    )


class PersonField(forms.ModelChoiceField):
    widget = PersonSelect

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Person.objects.none(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ElectionForm(forms.Form):
    """The election's facts and up to CANDIDATE_ROWS candidates (rows left empty are skipped)."""

    required_css_class = "required"
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    eligible_voters = forms.IntegerField(label=_("Eligible voters"), min_value=0, required=False)
    ballots_cast = forms.IntegerField(label=_("Ballots cast"), min_value=0, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, region: Region, committee: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people: QuerySet[Person] = people_visible(user, capability=Capability.PEOPLE_VIEW).filter(
            region__path__startswith=region.path
        )
        posts = [(k, label) for k, label in PositionKind.choices if k in COMMITTEE_POSITIONS[committee]]
        params = urlencode({"cap": Capability.PEOPLE_VIEW, "members": "0"})
        search = f"{reverse('members:person_choices')}?{params}"
        for i in range(CANDIDATE_ROWS):
            person = PersonField(label=_("Candidate"), required=False)
            person.queryset = people.order_by("name", "pk")
            person.widget.search_url = search
            self.fields[f"person_{i}"] = person
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=pgettext_lazy("cadre post", "Post"), choices=[("", "—"), *posts], required=False
            )
            self.fields[f"votes_{i}"] = forms.IntegerField(label=_("Votes"), min_value=0, required=False)
            self.fields[f"elected_{i}"] = forms.BooleanField(label=_("Elected"), required=False)

    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"person_{i}"], self[f"kind_{i}"], self[f"votes_{i}"], self[f"elected_{i}"]]
            for i in range(CANDIDATE_ROWS)
        ]

    def clean_held_on(self) -> date:
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("An election is recorded once it has been held."))
        return held_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(CANDIDATE_ROWS):
            if data.get(f"person_{i}") and not data.get(f"kind_{i}"):
                self.add_error(f"kind_{i}", _("Choose the post."))
            if data.get(f"kind_{i}") and not data.get(f"person_{i}"):
                self.add_error(f"person_{i}", _("Choose the candidate."))
        return data

    def candidates(self) -> list[CandidateRow]:
        data = self.cleaned_data
        return [
            CandidateRow(
                person=data[f"person_{i}"],
                kind=data[f"kind_{i}"],
                votes=data.get(f"votes_{i}") or 0,
                elected=bool(data.get(f"elected_{i}")),
            )
            for i in range(CANDIDATE_ROWS)
            if data.get(f"person_{i}")
        ]


class TakeOfficeForm(forms.Form):
    starts_on = forms.DateField(label=_("Takes office on"), widget=DateInput())
