"""Venues built through the services, for tests (and the browser test)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from tongxin.core.actors import SYSTEM
from tongxin.partners.models import PartnerUnit, UnitKind
from tongxin.partners.services import unit_create, unit_liaisons_set
from tongxin.regions.models import Region
from tongxin.venues.models import Room, Venue, VenueKind
from tongxin.venues.services import room_create, venue_create

ALL_DAY = ["08:00-21:00"] * 7


def make_venue(
    community: Region,
    *,
    name: str = "党群服务中心",
    kind: str = VenueKind.SERVICE_CENTRE,
    unit: PartnerUnit | None = None,
    needs_approval: bool = True,
    public: bool = True,
    lat: float | None = 31.31,
    lng: float | None = 120.61,
) -> tuple[Venue, Room]:
    venue = venue_create(
        actor=SYSTEM,
        region=community,
        name=name,
        kind=kind,
        unit=unit,
        lat=lat,
        lng=lng,
        public=public,
        needs_approval=needs_approval,
        hours=ALL_DAY,
        address="十全街1号",
    )
    room = room_create(venue=venue, actor=SYSTEM, name="多功能室", capacity=30)
    return venue, room


def make_unit(community: Region, *, name: str = "市第一医院", liaisons: tuple = ()) -> PartnerUnit:
    unit = unit_create(name=name, kind=UnitKind.HOSPITAL, region=community, actor=SYSTEM)
    if liaisons:
        unit_liaisons_set(unit=unit, liaisons=liaisons, actor=SYSTEM)
    return unit


def slot(days: int = 1, hour: int = 14, hours: int = 2) -> tuple[datetime, datetime]:
    """A slot `days` from today at `hour`, lasting `hours`."""
    day = timezone.localdate() + timedelta(days=days)
    start = timezone.make_aware(datetime.combine(day, time(hour)))
    return start, start + timedelta(hours=hours)
