"""Venues (阵地) opened to residents: 党群服务中心, 社区共享家园 (a partner unit's room opened to the
neighbourhood), 睦邻中心, 红色港湾/红色驿站, 长者食堂; their rooms, bookings with their history, the
坐班值班 rota and the 便民代办 services done there."""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.db import outbox_index
from tongxin.lib import crypto, masking

WEEKDAYS = range(7)  # Monday = 0, as date.weekday()


class VenueKind(models.TextChoices):
    SERVICE_CENTRE = "service_centre", _("Party and public service centre (党群服务中心)")
    SHARED_HOME = "shared_home", _("Shared home at a partner unit (社区共享家园)")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood centre (睦邻中心)")
    RED_STATION = "red_station", _("Red harbour or station (红色港湾/红色驿站)")
    CANTEEN = "canteen", _("Canteen for older residents (长者食堂)")
    OTHER = "other", _("Other venue")


class Venue(models.Model):
    """A place residents may use. Owned by its community, or by a partner unit (共享家园): then the
    unit's liaisons keep it. `region` (the community, or a street for a street's centre) is its scope."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=VenueKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="venues"
    )
    unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("partner unit that opens it"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="venues",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    public = models.BooleanField(_("shown to residents"), default=True)
    needs_approval = models.BooleanField(_("bookings need the keeper's approval"), default=True)
    # seven entries, Monday first: "08:30-17:30" (or "08:30-12:00,14:00-17:30"), "" when closed
    hours = models.JSONField(_("opening hours"), default=list, blank=True)
    # kept from `hours` on every save, for the figures (statistics: hours open per week)
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2, default=0, editable=False)
    facilities = models.CharField(_("facilities"), max_length=300, blank=True)
    description = models.TextField(_("about the venue"), blank=True)
    active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["region__path", "name"]
        indexes = [models.Index(fields=["lat", "lng"], name="venues_venue_point")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.hours_per_week = (Decimal(self.minutes_open_per_week()) / 60).quantize(Decimal("0.01"))
        if kwargs.get("update_fields") is not None and "hours" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "hours_per_week"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("venues:manage_venue", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("venues:venue", args=[self.pk])

    def intervals(self, weekday: int) -> list[tuple[time, time]]:
        """The opening intervals of a weekday (Monday = 0)."""
        text = self.hours[weekday] if weekday < len(self.hours or []) else ""
        return parse_hours(text or "")

    def minutes_open_per_week(self) -> int:
        total = 0
        for day in WEEKDAYS:
            for start, end in self.intervals(day):
                total += (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        return total


def parse_hours(text: str) -> list[tuple[time, time]]:
    """ "08:30-12:00,14:00-17:30" → intervals; raises ValueError on anything else."""
    intervals = []
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        start_text, sep, end_text = part.replace("–", "-").partition("-")
        if not sep:
            raise ValueError(part)
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
        if end <= start:
            raise ValueError(part)
        intervals.append((start, end))
    return sorted(intervals)


def venue_photo_path(instance: "VenuePhoto", filename: str) -> str:
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(
        instance.content_type, ""
    )
    return f"venues/{instance.venue_id}/{uuid.uuid4().hex}{extension}"


class VenuePhoto(models.Model):
    """A photo of the venue: its type read from the bytes and re-encoded without EXIF on upload
    (core.uploads.upload_accept); served through a view (public only for a public venue)."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=venue_photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.venue_id}: {self.file.name}"


class Room(models.Model):
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=80)
    capacity = models.PositiveSmallIntegerField(_("seats"), default=10)
    facilities = models.CharField(_("facilities"), max_length=200, blank=True)
    bookable = models.BooleanField(_("residents may book it"), default=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue", "name"]
        constraints = [models.UniqueConstraint(fields=["venue", "name"], name="venues_room_unique_name")]

    def __str__(self) -> str:
        return f"{self.venue.name} · {self.name}"


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled")
    USED = "used", _("Used")
    NO_SHOW = "no_show", _("Did not come")


# the statuses that hold the room: a new booking may not overlap them
HOLDING = (BookingStatus.REQUESTED, BookingStatus.APPROVED)


class BookerKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    MEMBER = "member", _("Member or official with an account")
    UNIT = "unit", _("Organisation")


class Booking(models.Model):
    """A room held for a time. A resident without an account is known by a name and a phone
    (encrypted, shown masked) and manages the booking through a private link whose token is stored
    only as a hash; a member or official books with their account, for themselves or a unit."""

    code = models.CharField(_("booking number"), max_length=12, unique=True)
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="bookings")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="bookings")
    region_path = models.CharField(max_length=255, db_index=True)  # the venue's, for scope
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    purpose = models.CharField(_("what for"), max_length=120)
    attendees = models.PositiveSmallIntegerField(_("how many people"), default=1)
    booker_kind = models.CharField(max_length=8, choices=BookerKind.choices)
    booker_name = models.CharField(_("name"), max_length=50, blank=True)
    phone_encrypted = models.TextField(blank=True, default="", editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "partners.PartnerUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # what else the booking serves, e.g. "meetings.meeting:12" (set by the app that booked it)
    reference = models.CharField(max_length=40, blank=True, db_index=True)
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["room", "starts_at"], name="venues_booking_room_time"),
            models.Index(fields=["region_path", "status", "starts_at"], name="venues_booking_scope"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("venues:manage_booking", args=[self.pk])

    def set_phone(self, phone: str) -> None:
        phone = (phone or "").strip()
        key = settings.FIELD_ENCRYPTION_KEY
        self.phone_encrypted = crypto.encrypt(phone, key=key) if phone else ""
        self.phone_hash = crypto.lookup_hash(phone, key=key, purpose="phone") if phone else ""

    def reveal_phone(self) -> str:
        if not self.phone_encrypted:
            return ""
        return crypto.decrypt(self.phone_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    @property
    def phone_masked(self) -> str:
        return masking.mask_phone(self.reveal_phone()) if self.phone_encrypted else ""

    @property
    def booker_display(self) -> str:
        """The booker as officials see them: a unit, an account, or a masked name."""
        if self.unit_id and self.unit is not None:
            return self.unit.name
        if self.user_id and self.user is not None:
            display = getattr(self.user, "display_name", None)
            return display() if callable(display) else str(self.user)
        return masking.mask_name(self.booker_name)

    @property
    def holds_room(self) -> bool:
        return self.status in HOLDING

    @property
    def day(self) -> date:
        return timezone.localtime(self.starts_at).date()


class BookingTransition(models.Model):
    """One step of a booking (requested, approved, rejected, cancelled, used, no-show): its history
    and the outbox the keeper's notifications come from (venues/outbox.py)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)  # null: still in the outbox

    class Meta:
        ordering = ["at", "id"]
        indexes = [outbox_index("booking_transition")]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.action} {self.from_status}->{self.to_status}"


class DutySlot(models.Model):
    """坐班值班: who is on duty at the venue when — every week on a weekday, or on one date."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="duty")
    name = models.CharField(_("who is on duty"), max_length=50)
    post = models.CharField(_("post"), max_length=60, blank=True, help_text=_("e.g. community secretary"))
    weekday = models.PositiveSmallIntegerField(_("every week on"), null=True, blank=True)
    on_date = models.DateField(_("or on"), null=True, blank=True)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("duty slot")
        verbose_name_plural = _("duty rota")
        ordering = ["venue", "weekday", "on_date", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__isnull=False) | models.Q(on_date__isnull=False),
                name="dutyslot_weekday_or_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def applies_on(self, day: date) -> bool:
        return self.on_date == day if self.on_date else self.weekday == day.weekday()


class ServiceKind(models.TextChoices):
    ERRAND = "errand", _("Errand done for a resident (便民代办)")
    ADVICE = "advice", _("Advice: legal, policy, jobs")
    HEALTH = "health", _("Health check or free clinic (义诊)")
    MEALS = "meals", _("Meals served (长者食堂)")
    ACTIVITY = "activity", _("Activity or class held")
    OTHER = "other", _("Other service")


class ServiceRecord(models.Model):
    """Services done at the venue on a day, counted: no check-ins and no names."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="services"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    on = models.DateField(_("on"), db_index=True)
    kind = models.CharField(_("service"), max_length=10, choices=ServiceKind.choices)
    people_served = models.PositiveIntegerField(_("people served"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.on} {self.kind} {self.people_served}"


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)
