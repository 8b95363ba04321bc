"""Forms for partner units, alliances, pairings and agreements. Choices are scoped to the user."""

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.models import User
from tongxin.core.forms import DateInput, ScopedForm
from tongxin.core.roles import Capability
from tongxin.organisations.forms import OrganisationChoiceField
from tongxin.partners.models import AllianceKind, MeetingInterval, MemberRole, UnitKind
from tongxin.partners.selectors import liaison_accounts, unit_choices
from tongxin.regions.forms import RegionChoiceField
from tongxin.regions.models import Level

MANAGE = Capability.PARTNERS_MANAGE
AREA_LEVELS = [Level.COUNTY, Level.STREET, Level.COMMUNITY]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.get_kind_display()}"


class UnitForm(ScopedForm):
    required_css_class = "required"
    wide_fields = ("description",)
    scoped = {
        "region": {"capability": MANAGE, "levels": [Level.CITY, *AREA_LEVELS]},
        "party_organisation": {"capability": MANAGE},
    }

    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    region = RegionChoiceField(
        label=_("Where it sits"), help_text=_("The region that keeps the unit's record.")
    )
    party_organisation = OrganisationChoiceField(label=_("Its Party organisation"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    joined_on = forms.DateField(
        label=_("Joined co-building on"),
        required=False,
        widget=DateInput(),
        help_text=_("A unit that joins after 1 July owes its first 实事 the next year."),
    )
    red_property = forms.BooleanField(label=_("Party-led property service (红色物业)"), required=False)
    description = forms.CharField(
        label=_("What the unit does"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AccountsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name()} ({obj.username})"


class LiaisonsForm(forms.Form):
    liaisons = AccountsField(
        label=_("Liaisons"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Accounts holding the partner-liaison role in your area."),
    )

    def __init__(self, *args: Any, user: Any, current: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(AccountsField, self.fields["liaisons"])
        # the role holders in the area, and whoever speaks for the unit already
        ids = [u.pk for u in current] + list(liaison_accounts(user).values_list("pk", flat=True))
        field.queryset = User.objects.filter(pk__in=ids).order_by("username")


class AllianceForm(ScopedForm):
    required_css_class = "required"
    wide_fields = ("description",)
    scoped = {"region": {"capability": MANAGE, "levels": AREA_LEVELS}, "organisation": {"capability": MANAGE}}
    fixed = ("region",)

    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=AllianceKind.choices)
    region = RegionChoiceField(label=_("Region it serves"))
    organisation = OrganisationChoiceField(label=_("Its Party organisation"), required=False)
    meeting_interval = forms.TypedChoiceField(
        label=_("Joint meeting every"),
        choices=MeetingInterval.choices,
        coerce=int,
        initial=MeetingInterval.QUARTERLY,
    )
    founded_on = forms.DateField(label=_("Founded on"), widget=DateInput())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MemberForm(ScopedForm):
    required_css_class = "required"
    scoped = {"organisation": {"capability": MANAGE}}

    unit = UnitChoiceField(label=_("Partner unit"), queryset=None, required=False)
    organisation = OrganisationChoiceField(
        label=_("Or a Party organisation"),
        required=False,
        help_text=_("The host's own organisation, e.g. the community Party committee."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.UNIT)
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        cast(UnitChoiceField, self.fields["unit"]).queryset = unit_choices(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("unit")) == bool(data.get("organisation")):
            self.add_error("unit", _("Choose either a partner unit or a Party organisation."))
        return data


class PairingForm(ScopedForm):
    required_css_class = "required"
    wide_fields = ("note",)
    scoped = {
        "region": {"capability": MANAGE, "levels": [Level.STREET, Level.COMMUNITY]},
        "host_organisation": {"capability": MANAGE},
    }

    unit = UnitChoiceField(label=_("Partner unit"), queryset=None)
    region = RegionChoiceField(label=_("Community or street"))
    host_organisation = OrganisationChoiceField(label=_("Host Party organisation"), required=False)
    started_on = forms.DateField(label=_("Paired since"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        cast(UnitChoiceField, self.fields["unit"]).queryset = unit_choices(user)


class AgreementForm(forms.Form):
    required_css_class = "required"
    wide_fields = ("commitments", "file")

    title = forms.CharField(label=_("Title"), max_length=120, initial=_("Co-building agreement (共建协议)"))
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    starts_on = forms.DateField(label=_("Term starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Term ends on"), widget=DateInput())
    commitments = forms.CharField(
        label=_("Commitments"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What each side commits to: resources, services, 实事, meetings."),
    )
    file = forms.FileField(
        label=_("Signed copy (PDF or photo)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The term cannot end before it starts."))
        return data


class EndForm(forms.Form):
    day = forms.DateField(label=_("Ends on"), widget=DateInput(), initial=timezone.localdate)


class DutyFilterForm(ScopedForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    area = RegionChoiceField(label=_("Street or community"), required=False)
    scoped = {"area": {"capability": Capability.PARTNERS_VIEW, "levels": AREA_LEVELS}}

    def year_or_current(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return timezone.localdate().year
