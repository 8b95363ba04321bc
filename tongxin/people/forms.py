"""Forms for people and positions. Phone and ID card are typed in plain and encrypted by the service."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import DateInput
from tongxin.core.roles import Capability
from tongxin.organisations.forms import OrganisationChoiceField
from tongxin.organisations.models import BRANCH_KINDS
from tongxin.people.models import Gender, PartyStatus, Person, PositionKind
from tongxin.regions.forms import RegionChoiceField

BRANCH_KIND_VALUES = sorted(str(k) for k in BRANCH_KINDS)

PARTY_FILTERS = [
    ("", _("Anyone")),
    ("member", _("Party members")),
    ("none", _("Not Party members")),
    ("probationary", _("Probationary members")),
    ("full", _("Full members")),
]


class PersonForm(forms.Form):
    required_css_class = "required"

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
        super().__init__(*args, **kwargs)
        cast(RegionChoiceField, self.fields["region"]).limit_to(user, capability=Capability.PEOPLE_EDIT)
        cast(OrganisationChoiceField, self.fields["branch"]).limit_to(
            user, capability=Capability.STRUCTURE_VIEW, kinds=BRANCH_KIND_VALUES
        )
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
        return {k: v for k, v in self.cleaned_data.items() if k not in {"phone", "id_card"}}

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        fields = ("name", "gender", "birth_date", "ethnicity", "region", "address", "employer")
        more = ("party_status", "party_joined_on", "party_full_on", "branch")
        return {k: getattr(person, k) for k in fields + more}


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=50)
    node = RegionChoiceField(label=_("Area"), required=False)
    party = forms.ChoiceField(label=_("Party membership"), choices=PARTY_FILTERS, required=False)
    branch = OrganisationChoiceField(label=_("Party branch"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(RegionChoiceField, self.fields["node"]).limit_to(user, capability=Capability.PEOPLE_VIEW)
        cast(OrganisationChoiceField, self.fields["branch"]).limit_to(
            user, capability=Capability.STRUCTURE_VIEW, kinds=BRANCH_KIND_VALUES
        )


class PositionForm(forms.Form):
    required_css_class = "required"

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

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(OrganisationChoiceField, self.fields["organisation"]).limit_to(
            user, capability=Capability.PEOPLE_EDIT
        )
        cast(RegionChoiceField, self.fields["region"]).limit_to(user, capability=Capability.PEOPLE_EDIT)


class PositionEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
