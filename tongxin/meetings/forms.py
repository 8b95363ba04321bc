"""Forms for joint meetings."""

from datetime import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import DateInput, ScopedForm
from tongxin.core.roles import Capability
from tongxin.meetings.models import MeetingKind
from tongxin.partners.forms import AREA_LEVELS, UnitChoiceField
from tongxin.partners.selectors import alliances_visible, reach_for, unit_choices
from tongxin.regions.forms import RegionChoiceField
from tongxin.venues.selectors import rooms_for_booking

MANAGE = Capability.PARTNERS_MANAGE


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class AllianceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.region.name}"


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.venue.name} · {obj.name}"


class MeetingForm(ScopedForm):
    required_css_class = "required"
    wide_fields = ("agenda",)
    scoped = {"region": {"capability": MANAGE, "levels": AREA_LEVELS}}

    alliance = AllianceChoiceField(label=_("Alliance"), queryset=None, required=False)
    region = RegionChoiceField(label=_("Or the region (a meeting without an alliance)"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    scheduled_at = forms.DateTimeField(
        label=_("When"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label=_("Where"), max_length=120, required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item a line. The alliance's member units are invited."),
    )
    room = RoomChoiceField(
        label=_("Reserve a room (optional)"),
        queryset=None,
        required=False,
        help_text=_("Booked for two hours from the meeting's time in the same step; a clash is shown here."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        cast(RoomChoiceField, self.fields["room"]).queryset = rooms_for_booking(user)
        manage = reach_for(user).manage
        cast(AllianceChoiceField, self.fields["alliance"]).queryset = (
            alliances_visible(user).filter(manage.q("region__path"), active=True).order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("alliance") and not data.get("region"):
            self.add_error("alliance", _("Choose the alliance or the region of the meeting."))
        data["agenda_items"] = [
            line.strip() for line in (data.get("agenda") or "").splitlines() if line.strip()
        ]
        return data


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=200)


class InviteForm(forms.Form):
    unit = UnitChoiceField(label=_("Invite a unit"), queryset=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitChoiceField, self.fields["unit"]).queryset = unit_choices(user)


class MinutesForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("Held at"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    minutes = forms.CharField(label=_("Minutes (纪要)"), widget=forms.Textarea(attrs={"rows": 6}))


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Decision"), max_length=200)
    text = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    four_step = forms.BooleanField(
        label=_("Run through 两委三会四议 (提议 → 商议 → 审议 → 评议)"), required=False
    )


class StepForm(forms.Form):
    action = forms.CharField(max_length=16)
    note = forms.CharField(required=False, max_length=2000)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    owner_unit = UnitChoiceField(label=_("Owner unit"), queryset=None, required=False)
    owner_name = forms.CharField(label=_("Or the person who owns it"), max_length=120, required=False)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitChoiceField, self.fields["owner_unit"]).queryset = unit_choices(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("owner_unit") and not (data.get("owner_name") or "").strip():
            self.add_error("owner_unit", _("Name who owns the task: a unit or a person."))
        return data


class TaskDoneForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=2000)


def default_held_at(meeting: Any) -> datetime:
    return timezone.localtime(meeting.held_at or min(meeting.scheduled_at, timezone.now()))
