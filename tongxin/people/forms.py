"""Forms for people and positions. Phone and ID card are typed in plain and encrypted by the service."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import DateInput, ScopedForm, initial_from
from tongxin.core.roles import Capability
from tongxin.organisations.forms import OrganisationChoiceField
from tongxin.organisations.models import BRANCH_KINDS
from tongxin.people.models import Gender, PartyStatus, Person, PositionKind
from tongxin.regions.forms import RegionChoiceField, ScopedSelect


class PersonSelect(ScopedSelect):
    """A person <select> with at most 200 options and a search box (htmx) when there are more."""

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> Any:
        iterator = self.choices
        queryset = getattr(iterator, "queryset", None)
        if queryset is None:
            return forms.Select.optgroups(self, name, value, attrs)
        field = iterator.field  # type: ignore[attr-defined]
        rows = list(queryset[: self.option_limit + 1])
        self.truncated = len(rows) > self.option_limit
        rows = rows[: self.option_limit]
        shown = {str(r.pk) for r in rows}
        missing = [v for v in value if v and str(v).isdigit() and str(v) not in shown]
        if missing:
            rows = list(queryset.filter(pk__in=missing)) + rows
        options: list[tuple[str, str]] = [("", field.empty_label)] if field.empty_label is not None else []
        options += [(str(r.pk), field.label_from_instance(r)) for r in rows]
        self.choices = options
        try:
            return forms.Select.optgroups(self, name, value, attrs)
        finally:
            self.choices = iterator


BRANCH_KIND_VALUES = sorted(str(k) for k in BRANCH_KINDS)
BRANCHES = {"capability": Capability.STRUCTURE_VIEW, "kinds": BRANCH_KIND_VALUES}
# typed in plain, kept encrypted: an edit form shows them empty ("keep the number on record")
PERSONAL_NUMBERS = {"phone", "id_card"}

PARTY_FILTERS = [
    ("", _("Anyone")),
    ("member", _("Party members")),
    ("none", _("Not Party members")),
    ("probationary", _("Probationary members")),
    ("full", _("Full members")),
]


class PersonForm(ScopedForm):
    required_css_class = "required"
    scoped = {"region": {"capability": Capability.PEOPLE_EDIT}, "branch": BRANCHES}

    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    region = RegionChoiceField(
        label=_("Lives in"), help_text=_("The building, grid or community where the person lives.")
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    employer = forms.CharField(label=_("Employer"), max_length=120, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    id_card = forms.CharField(
        label=_("ID-card number"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    party_status = forms.ChoiceField(label=_("Party membership"), choices=PartyStatus.choices, required=False)
    party_joined_on = forms.DateField(label=_("Joined the Party on"), required=False, widget=DateInput())
    party_full_on = forms.DateField(label=_("Full member since"), required=False, widget=DateInput())
    branch = OrganisationChoiceField(label=_("Party branch"), required=False)

    def __init__(self, *args: Any, user: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if person is not None:
            keep = _("Leave empty to keep the number on record (%(masked)s).")
            none = _("No number on record.")
            self.fields["phone"].help_text = (
                keep % {"masked": person.phone_masked} if person.phone_encrypted else none
            )
            self.fields["id_card"].help_text = (
                keep % {"masked": person.id_card_masked} if person.id_card_encrypted else none
            )

    def clean_phone(self) -> str:
        return self.cleaned_data["phone"].strip().replace(" ", "")

    def clean_id_card(self) -> str:
        return self.cleaned_data["id_card"].strip().upper()

    def person_data(self) -> dict[str, Any]:
        """The fields person_create/person_update take, without the personal numbers."""
        return {k: v for k, v in self.cleaned_data.items() if k not in PERSONAL_NUMBERS}

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        return initial_from(person, (name for name in cls.base_fields if name not in PERSONAL_NUMBERS))


class PersonFilterForm(ScopedForm):
    q = forms.CharField(label=_("Name"), required=False, max_length=50)
    node = RegionChoiceField(label=_("Area"), required=False)
    party = forms.ChoiceField(label=_("Party membership"), choices=PARTY_FILTERS, required=False)
    branch = OrganisationChoiceField(label=_("Party branch"), required=False)
    scoped = {"node": {"capability": Capability.PEOPLE_VIEW}, "branch": BRANCHES}


class PositionForm(ScopedForm):
    required_css_class = "required"
    scoped = {
        "organisation": {"capability": Capability.PEOPLE_EDIT},
        "region": {"capability": Capability.PEOPLE_EDIT},
    }

    kind = forms.ChoiceField(label=_("Position"), choices=PositionKind.choices)
    organisation = OrganisationChoiceField(
        label=_("Party organisation"),
        required=False,
        help_text=_("For secretaries, committee members and Party group leaders."),
    )
    region = RegionChoiceField(
        label=_("Region"),
        required=False,
        help_text=_(
            "The grid for grid leaders and workers, the building for building heads; "
            "empty means the organisation's region."
        ),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput())


class PositionEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
