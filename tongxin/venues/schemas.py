"""The shapes of the venues API (/api/v1/venues)."""

from datetime import date, datetime

from ninja import Field, Schema

from tongxin.core.schemas import MAX_ID


class RoomOut(Schema):
    id: int
    name: str
    capacity: int
    facilities: str
    bookable: bool
    active: bool


class VenueOut(Schema):
    id: int
    name: str
    kind: str
    region: int = Field(alias="region_id")
    unit: int | None = Field(None, alias="unit_id")
    address: str
    lat: float | None
    lng: float | None
    public: bool
    needs_approval: bool
    hours: list[str]
    facilities: str
    active: bool


class VenueFilters(Schema):
    kind: str | None = None
    within: int | None = Field(None, ge=1, le=MAX_ID, description="a region id: venues in its subtree")


class BusyOut(Schema):
    room: int
    starts_at: datetime
    ends_at: datetime
    status: str


class AvailabilityOut(Schema):
    room: int
    day: date
    open: list[list[str]]
    busy: list[BusyOut]


class BookingOut(Schema):
    id: int
    code: str
    venue: int = Field(alias="venue_id")
    room: int = Field(alias="room_id")
    starts_at: datetime
    ends_at: datetime
    purpose: str
    attendees: int
    status: str
    version: int
    booker_kind: str
    booker: str = Field(alias="booker_display", description="a unit, an account, or a masked name")
    phone: str = Field(alias="phone_masked", description="masked: 138****1234")


class BookingFilters(Schema):
    status: str | None = None
    venue: int | None = Field(None, ge=1, le=MAX_ID)
    since: date | None = None
    until: date | None = None


class BookingCreateIn(Schema):
    room: int = Field(ge=1, le=MAX_ID)
    starts_at: datetime
    ends_at: datetime
    purpose: str = Field(max_length=120)
    attendees: int = Field(1, ge=1, le=999)


class BookingStepIn(Schema):
    action: str = Field(description="approve, reject, cancel, used or no_show")
    reason: str = Field("", max_length=200)
    version: int | None = Field(None, ge=0)
