"""Forms for activities, attendance and teams."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tongxin.activities.models import ActivityKind, Audience, CalloutAnswer, TeamKind, TeamRole
from tongxin.core.forms import ScopedForm
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.members.forms import PersonChoiceField
from tongxin.organisations.forms import OrganisationChoiceField
from tongxin.regions.forms import RegionChoiceField
from tongxin.venues.selectors import rooms_for_booking


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.venue.name} · {obj.name}"


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ActivityForm(forms.Form):
    required_css_class = "required"
    wide_fields = ("title", "place")

    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    region = RegionChoiceField(
        label=_("Area"), help_text=_("The community, grid or street the activity is for.")
    )
    unit = UnitField(label=_("Organising partner unit"), queryset=None, required=False)
    organisation = OrganisationChoiceField(label=_("Organising Party organisation"), required=False)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    places = forms.IntegerField(
        label=_("Places available"), required=False, min_value=1, help_text=_("Empty: no limit.")
    )
    audience = forms.ChoiceField(label=_("Open to"), choices=Audience.choices, initial=Audience.MEMBERS)
    signup_until = forms.DateTimeField(
        label=_("Sign-up closes"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Empty: when it starts."),
    )
    hours = forms.DecimalField(
        label=_("Service hours credited"),
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=2,
        help_text=_("Empty: the length of the activity."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    room = RoomChoiceField(
        label=_("Reserve a room (optional)"),
        queryset=None,
        required=False,
        help_text=_("Booked for the activity's time in the same step; a clash is shown here."),
    )

    def __init__(self, *args: Any, user: Any, units: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms_for_booking(user)  # type: ignore[attr-defined]
        self.manages = has_capability(user, Capability.MEMBERS_MANAGE)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if self.manages:
            cast(RegionChoiceField, self.fields["region"]).limit_to(
                user, capability=Capability.MEMBERS_MANAGE
            )
            cast(OrganisationChoiceField, self.fields["organisation"]).limit_to(
                user, capability=Capability.MEMBERS_MANAGE
            )
        else:
            # a partner unit's liaison publishes for their unit, where the unit sits
            del self.fields["region"]
            del self.fields["organisation"]
            self.fields["unit"].required = True
            self.fields["audience"].choices = [c for c in Audience.choices if c[0] != Audience.BRANCH]  # type: ignore[attr-defined]
        if not units.exists():
            del self.fields["unit"]

    def clean(self) -> dict[str, Any]:
        """The checks across fields, reported with the fields' own errors on the first submit
        (the service repeats them for the API)."""
        data = super().clean() or {}
        starts, ends, until = data.get("starts_at"), data.get("ends_at"), data.get("signup_until")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        if starts and until and until > starts:
            self.add_error("signup_until", _("Sign-up must close before the activity starts."))
        return data

    def activity_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if "region" not in data:
            data["region"] = data["unit"].region
        data.setdefault("organisation", None)
        data.setdefault("unit", None)
        return data


MANAGED = {"capability": Capability.MEMBERS_MANAGE}
ANYONE_MANAGED = {"capability": Capability.MEMBERS_MANAGE, "members_only": False}


class AttendanceForm(ScopedForm):
    """Who attended: the sign-ups ticked, and people who came without signing up."""

    scoped = {"walk_in": {"capability": Capability.MEMBERS_VIEW, "members_only": False}}

    attended = forms.MultipleChoiceField(
        label=_("Attended"), required=False, widget=forms.CheckboxSelectMultiple
    )
    walk_in = PersonChoiceField(label=_("Came without signing up"), required=False)
    summary = forms.CharField(
        label=_("Summary (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, signups: list[Any], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["attended"].choices = [(str(s.pk), s.person.name) for s in signups]  # type: ignore[attr-defined]


class PhotoForm(forms.Form):
    # the service reads the type from the bytes and re-encodes the picture (core.uploads)
    photo = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


class TeamForm(ScopedForm):
    required_css_class = "required"
    scoped = {"region": MANAGED, "organisation": MANAGED}
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    region = RegionChoiceField(label=_("Area served"))
    organisation = OrganisationChoiceField(label=_("Led by"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TeamMemberForm(ScopedForm):
    person = PersonChoiceField(label=_("Person"))
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices, initial=TeamRole.MEMBER)
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False)
    scoped = {"person": ANYONE_MANAGED}


class CalloutForm(forms.Form):
    case = forms.CharField(label=_("Case tracking code"), max_length=16)
    note = forms.CharField(
        label=_("What is needed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CalloutAnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=CalloutAnswer.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
