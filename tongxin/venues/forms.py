"""The forms of the venue pages: the resident's booking (phone first), and the keepers' forms."""

from datetime import date, datetime, time
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import DateInput
from tongxin.venues.models import WEEKDAYS, Room, ServiceKind, VenueKind

WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class RoomField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(room)s (%(n)d seats)") % {"room": obj.name, "n": obj.capacity}


class BookingForm(forms.Form):
    """A room, a day and a time, what for and how many; a resident without an account adds a name
    and phone. The honeypot `leave_empty` is hidden from people."""

    room = RoomField(label=_("Room"), queryset=Room.objects.none(), empty_label=None)
    day = forms.DateField(label=_("Day"), widget=DateInput())
    starts = forms.TimeField(label=_("From"), widget=TimeInput())
    ends = forms.TimeField(label=_("Until"), widget=TimeInput())
    purpose = forms.CharField(
        label=_("What for"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. a reading group, a residents' meeting")}),
    )
    attendees = forms.IntegerField(label=_("How many people"), min_value=1, max_value=999, initial=5)
    name = forms.CharField(
        label=_("Your name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=20,
        help_text=_("Only the venue sees it, to call you about this booking."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    leave_empty = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, rooms: Any, resident: bool, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(RoomField, self.fields["room"]).queryset = rooms
        self.resident = resident
        if not resident:
            del self.fields["name"], self.fields["phone"], self.fields["leave_empty"]
            if units is not None and units.exists():
                self.fields["unit"] = forms.ModelChoiceField(
                    label=_("Book for"),
                    queryset=units,
                    required=False,
                    empty_label=_("Myself"),
                )

    def is_bot(self) -> bool:
        return bool((self.data.get("leave_empty") or "").strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if isinstance(day, date) and isinstance(starts, time) and isinstance(ends, time):
            data["starts_at"] = timezone.make_aware(datetime.combine(day, starts))
            data["ends_at"] = timezone.make_aware(datetime.combine(day, ends))
            if ends <= starts:
                self.add_error("ends", _("The booking ends after it starts."))
        return data


class VenueForm(forms.Form):
    region: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Community"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=VenueKind.choices)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Partner unit that opens it (共享家园)"),
        queryset=None,
        required=False,
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    public = forms.BooleanField(label=_("Shown to residents"), required=False, initial=True)
    needs_approval = forms.BooleanField(label=_("Bookings need approval"), required=False, initial=True)
    facilities = forms.CharField(label=_("Facilities"), max_length=300, required=False)
    description = forms.CharField(
        label=_("About the venue"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, regions: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = regions
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=WEEKDAY_NAMES[day],
                max_length=60,
                required=False,
                help_text=_("e.g. 08:30-12:00,14:00-17:30; empty: closed") if day == 0 else "",
            )

    def hours(self) -> list[str]:
        return [self.cleaned_data.get(f"hours_{day}") or "" for day in WEEKDAYS]


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Room"), max_length=80)
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=5000, initial=10)
    facilities = forms.CharField(label=_("Facilities"), max_length=200, required=False)
    bookable = forms.BooleanField(label=_("Residents may book it"), required=False, initial=True)


class DutyForm(forms.Form):
    name = forms.CharField(label=_("Who is on duty"), max_length=50)
    post = forms.CharField(label=_("Post"), max_length=60, required=False)
    weekday = forms.TypedChoiceField(
        label=_("Every week on"),
        choices=[("", _("— one date instead —")), *[(d, WEEKDAY_NAMES[d]) for d in WEEKDAYS]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    on_date = forms.DateField(label=_("Or on"), required=False, widget=DateInput())
    starts = forms.TimeField(label=_("From"), widget=TimeInput())
    ends = forms.TimeField(label=_("Until"), widget=TimeInput())


class ServiceForm(forms.Form):
    on = forms.DateField(label=_("On"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    people_served = forms.IntegerField(label=_("People served"), min_value=1, max_value=100000)
    note = forms.CharField(label=_("Note"), max_length=200, required=False, help_text=_("No names, please."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), max_length=120, required=False)
