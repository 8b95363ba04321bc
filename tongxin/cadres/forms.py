"""Forms of the cadre pages: the roster's filter, a profile, a term, an election and taking office."""

from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.cadres.composition import MEASURES
from tongxin.cadres.models import (
    COMMITTEE_POSITIONS,
    Committee,
    Education,
    PoliticalStatus,
    StationedKind,
)
from tongxin.cadres.selectors import stationing_villages
from tongxin.cadres.services import CandidateRow, NewPerson
from tongxin.core.forms import DateInput, ScopedForm
from tongxin.core.roles import Capability
from tongxin.partners.forms import UnitChoiceField
from tongxin.partners.models import PartnerUnit
from tongxin.partners.selectors import unit_choices
from tongxin.people.forms import PersonSelect
from tongxin.people.models import Gender, Person, PositionKind
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
    """The current term of a committee that has none recorded (`missing`: those committees)."""

    required_css_class = "required"
    committee = forms.ChoiceField(
        label=pgettext_lazy("two committees", "Committee"), choices=Committee.choices
    )

    def __init__(self, *args: Any, missing: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if missing is not None:
            field = cast(forms.ChoiceField, self.fields["committee"])
            field.choices = [(k, label) for k, label in Committee.choices if k in missing]
            if len(missing) == 1:
                field.initial = missing[0]

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


# ---- 第一书记 and 驻村工作队 ------------------------------------------------------------------------------


class StationedFilterForm(ScopedForm):
    node = RegionChoiceField(label=_("Area"), required=False)
    ended = forms.BooleanField(label=_("Also those whose posting has ended"), required=False)
    scoped = {"node": {"capability": VIEW, "levels": NODE_LEVELS}}


class StationedForm(ScopedForm):
    """A posting: the village, who (on record, or a new person's name), the role, the sending unit
    (a partner unit, or its name) and the term. Editing keeps the village and the person."""

    required_css_class = "required"
    fixed = ("village", "person", "name", "gender", "birth_date")
    wide_fields = ("note",)

    village = RegionChoiceField(label=_("Village or community"))
    person = PersonField(
        label=_("Person on record"),
        required=False,
        help_text=_("Search by name. Someone not on record yet: leave this empty and enter the name below."),
    )
    name = forms.CharField(label=_("Or the name of someone not on record"), max_length=50, required=False)
    gender = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    kind = forms.ChoiceField(label=pgettext_lazy("stationed cadre", "Role"), choices=StationedKind.choices)
    sending_unit = UnitChoiceField(
        label=_("Sending unit"),
        queryset=PartnerUnit.objects.none(),
        required=False,
        help_text=_("A unit on the partner list; otherwise enter its name below."),
    )
    sending_unit_name = forms.CharField(label=_("Or the sending unit's name"), max_length=120, required=False)
    starts_on = forms.DateField(label=_("Posted from"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Posted until"), required=False, widget=DateInput(), help_text=_("Leave empty while open.")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, user=user, editing=editing, **kwargs)
        if "village" in self.fields:
            village = cast(RegionChoiceField, self.fields["village"])
            village.queryset = stationing_villages(user)
            village.widget.search_url = ""
        if "person" in self.fields:
            person = cast(PersonField, self.fields["person"])
            person.queryset = people_visible(user, capability=Capability.PEOPLE_VIEW).order_by("name", "pk")
            params = urlencode({"cap": Capability.PEOPLE_VIEW, "members": "0"})
            person.widget.search_url = f"{reverse('members:person_choices')}?{params}"
        cast(UnitChoiceField, self.fields["sending_unit"]).queryset = unit_choices(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "person" in self.fields and not data.get("person") and not (data.get("name") or "").strip():
            self.add_error("person", _("Choose the person, or enter the name of someone not on record."))
        if data.get("person") and (data.get("name") or "").strip():
            self.add_error("name", _("Either choose a person on record or enter a name, not both."))
        if not data.get("sending_unit") and not (data.get("sending_unit_name") or "").strip():
            self.add_error("sending_unit", _("Choose or enter the sending unit."))
        return data

    def service_data(self) -> dict[str, Any]:
        """The arguments of stationed_create / stationed_update."""
        data = self.cleaned_data
        found = {
            "kind": data["kind"],
            "sending_unit": data.get("sending_unit"),
            "sending_unit_name": data.get("sending_unit_name") or "",
            "starts_on": data["starts_on"],
            "ends_on": data.get("ends_on"),
            "note": data.get("note") or "",
        }
        if "village" in self.fields:
            found["village"] = data["village"]
            found["person"] = data.get("person")
            if not data.get("person"):
                found["new_person"] = NewPerson(
                    name=data.get("name") or "",
                    gender=data.get("gender") or "",
                    birth_date=data.get("birth_date"),
                )
        return found


class StationedEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Last day of the posting"), widget=DateInput())


# ---- term rules -----------------------------------------------------------------------------------


class RulesForm(ScopedForm):
    node = RegionChoiceField(label=_("Area"), required=False)
    scoped = {"node": {"capability": VIEW, "levels": NODE_LEVELS}}


class TermRuleForm(forms.Form):
    """A new version of the term rule kept at a county or township."""

    required_css_class = "required"
    years = forms.IntegerField(
        label=_("Term length in years"),
        min_value=1,
        max_value=10,
        help_text=_("村（社区）“两委” serve five years since the 2018 amendment."),
    )
    warn_days = forms.IntegerField(
        label=_("Warn this many days before a term ends"), min_value=0, max_value=730
    )
    valid_from = forms.DateField(
        label=_("In force from"),
        widget=DateInput(),
        help_text=_(
            "Terms beginning on or after this day take its length; the warning applies from this day."
        ),
    )
