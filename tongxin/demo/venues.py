"""Venues of the demo street (seed 003's 阵地): a 党群服务中心 in every community, 共享家园 opened by
partner units (one by the demo liaison's unit, so they keep it), a 长者食堂 and a 红色驿站; rooms, the
坐班值班 rota, a month of bookings around today (past ones used, not used or cancelled, coming ones
waiting or approved) and the 便民代办 services done there — written through the services, as the
system, with the clock moving."""

import random
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.core.actors import RESIDENT, SYSTEM
from tongxin.demo.tally import Tally, demo_street
from tongxin.lib.tree import subtree_range
from tongxin.partners.models import PartnerUnit
from tongxin.people.models import Position
from tongxin.regions.models import Level, Region
from tongxin.venues.models import Booking, Room, ServiceKind, Venue, VenueKind
from tongxin.venues.services import (
    booking_create,
    booking_transition,
    duty_slot_create,
    room_create,
    service_record_create,
    venue_create,
)

CENTRE_HOURS = ["08:30-12:00,14:00-20:30"] * 5 + ["09:00-17:00", "09:00-12:00"]
SHARED_HOURS = ["18:00-21:00"] * 5 + ["09:00-17:00", "09:00-17:00"]  # a unit's room after work
CANTEEN_HOURS = ["10:30-13:30"] * 7
STATION_HOURS = ["08:00-18:00"] * 7
PURPOSES = [
    "读书会",
    "楼栋议事会",
    "书法兴趣班",
    "老年合唱排练",
    "志愿者培训",
    "亲子手工课",
    "健康讲座",
    "党小组会",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "明华丽军芳强敏静磊洋艳勇杰娟涛超霞秀兰平"
BOOKING_DAYS_BACK, BOOKING_DAYS_AHEAD = 21, 10


VenuesSummary = Tally


def _point(community: Region, rng: random.Random) -> tuple[float | None, float | None]:
    if community.centre_lat is None or community.centre_lng is None:
        return None, None
    return (
        round(community.centre_lat + rng.uniform(-0.002, 0.002), 6),
        round(community.centre_lng + rng.uniform(-0.002, 0.002), 6),
    )


def _add_venue(
    summary: VenuesSummary,
    rng: random.Random,
    community: Region,
    *,
    name: str,
    kind: str,
    hours: list[str],
    rooms: list[tuple[str, int, str]],
    unit: PartnerUnit | None = None,
    needs_approval: bool = True,
    facilities: str = "",
    address: str = "",
) -> Venue:
    lat, lng = _point(community, rng)
    venue = venue_create(
        actor=SYSTEM,
        region=community,
        name=name,
        kind=kind,
        unit=unit,
        lat=lat,
        lng=lng,
        hours=hours,
        needs_approval=needs_approval,
        facilities=facilities,
        address=address or community.address,
    )
    for room_name, seats, room_facilities in rooms:
        room_create(venue=venue, actor=SYSTEM, name=room_name, capacity=seats, facilities=room_facilities)
    summary.add(f"venues: {VenueKind(kind).label}")
    return venue


def _duty_names(community: Region) -> list[str]:
    names = list(
        Position.objects.filter(region=community, ends_on__isnull=True)
        .select_related("person")
        .values_list("person__name", flat=True)[:6]
    )
    return names or ["社区值班员"]


def _rota(venue: Venue, names: list[str], summary: VenuesSummary) -> None:
    for weekday in range(5):
        name = names[weekday % len(names)]
        duty_slot_create(
            venue=venue,
            actor=SYSTEM,
            name=name,
            post="坐班值班",
            weekday=weekday,
            starts=time(8, 30),
            ends=time(12),
        )
        other = names[(weekday + 1) % len(names)]
        duty_slot_create(
            venue=venue,
            actor=SYSTEM,
            name=other,
            post="坐班值班",
            weekday=weekday,
            starts=time(14),
            ends=time(17, 30),
        )
        summary.add("duty slots", 2)


def _slot(venue: Venue, day: date, rng: random.Random) -> tuple[datetime, datetime] | None:
    intervals = venue.intervals(day.weekday())
    if not intervals:
        return None
    start_of, end_of = rng.choice(intervals)
    first, last = start_of.hour + (1 if start_of.minute else 0), end_of.hour - 1
    if last < first:
        return None
    hour = rng.randint(first, last)
    length = min(rng.choice([1, 2, 2, 3]), end_of.hour - hour) or 1
    start = timezone.make_aware(datetime.combine(day, time(hour)))
    return start, start + timedelta(hours=length)


def _bookings(
    rooms: list[Room], now: datetime, rng: random.Random, members: list[User], summary: VenuesSummary
) -> None:
    today = timezone.localdate(now)
    for room in rooms:
        for offset in range(-BOOKING_DAYS_BACK, BOOKING_DAYS_AHEAD + 1):
            if rng.random() > 0.35:
                continue
            when = _slot(room.venue, today + timedelta(days=offset), rng)
            if when is None:
                continue
            start, end = when
            made_at = min(start - timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 8)), now)
            if made_at >= start:
                continue
            by_member = members and rng.random() < 0.3
            try:
                booking, token = booking_create(
                    actor=rng.choice(members) if by_member else RESIDENT,
                    room=room,
                    starts_at=start,
                    ends_at=end,
                    purpose=rng.choice(PURPOSES),
                    attendees=rng.randint(3, max(3, min(room.capacity, 25))),
                    name="" if by_member else rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    phone="" if by_member else f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
                    now=made_at,
                )
            except ValidationError:  # a clash with an earlier demo booking: skip it, as a resident would
                continue
            _follow(booking, token, start, now, rng, summary)


def _follow(
    booking: Booking, token: str, start: datetime, now: datetime, rng: random.Random, summary: VenuesSummary
) -> None:
    """What became of a booking: the keeper's answer a few hours later, then use or absence."""
    answered = min(
        booking.created_at + timedelta(hours=rng.randint(1, 20)), start - timedelta(minutes=30), now
    )
    roll = rng.random()
    if booking.status == "requested":
        if start > now and roll < 0.4:
            summary.add("bookings: waiting for approval")
            return
        if roll < 0.05:
            booking_transition(
                booking=booking, action="reject", actor=SYSTEM, reason="该时段已安排社区活动", now=answered
            )
            summary.add("bookings: not approved")
            return
        booking = booking_transition(booking=booking, action="approve", actor=SYSTEM, now=answered)
    if rng.random() < 0.12:
        cancel_at = min(answered + timedelta(hours=2), start - timedelta(minutes=10), now)
        actor = booking.user if booking.user is not None else RESIDENT
        booking_transition(booking=booking, action="cancel", actor=actor, token=token, now=cancel_at)
        summary.add("bookings: cancelled")
        return
    if start > now:
        summary.add("bookings: approved, coming")
        return
    after = min(start + timedelta(minutes=20), now)
    action = "no_show" if rng.random() < 0.1 else "used"
    booking_transition(booking=booking, action=action, actor=SYSTEM, now=after)
    summary.add(f"bookings: {action}")


SERVICES_BY_KIND = {
    VenueKind.SERVICE_CENTRE: [
        (ServiceKind.ERRAND, 3, 15, "代办社保、医保、老年卡"),
        (ServiceKind.ADVICE, 1, 6, "法律、政策咨询"),
    ],
    VenueKind.SHARED_HOME: [(ServiceKind.ACTIVITY, 8, 30, "")],
    VenueKind.CANTEEN: [(ServiceKind.MEALS, 25, 70, "午餐")],
    VenueKind.RED_STATION: [
        (ServiceKind.ERRAND, 2, 10, "饮水、充电、休息"),
        (ServiceKind.HEALTH, 0, 4, "量血压"),
    ],
}


def _services(venues: list[Venue], now: datetime, rng: random.Random, summary: VenuesSummary) -> None:
    today = timezone.localdate(now)
    for venue in venues:
        for offset in range(30, 0, -1):
            day = today - timedelta(days=offset)
            if not venue.intervals(day.weekday()):
                continue
            for kind, low, high, note in SERVICES_BY_KIND.get(VenueKind(venue.kind), []):
                served = rng.randint(low, high)
                if served < 1:
                    continue
                at = timezone.make_aware(datetime.combine(day, time(18)))
                service_record_create(
                    venue=venue, actor=SYSTEM, on=day, kind=kind, people_served=served, note=note, now=at
                )
                summary.add("service records")
                summary.add("people served", served)


def generate_venues(*, rng: random.Random, now: datetime) -> VenuesSummary:
    summary = VenuesSummary()
    street = demo_street()
    if street is None:
        return summary
    low, high = subtree_range(street.path)
    communities = list(Region.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code"))
    venues: list[Venue] = []
    for community in communities:
        venue = _add_venue(
            summary,
            rng,
            community,
            name=f"{community.name}党群服务中心",
            kind=VenueKind.SERVICE_CENTRE,
            hours=CENTRE_HOURS,
            rooms=[("多功能活动室", 40, "投影、音响"), ("会议室", 16, "电视屏"), ("书画室", 12, "")],
            facilities="便民服务窗口、图书角、无障碍通道",
        )
        _rota(venue, _duty_names(community), summary)
        venues.append(venue)
    if communities:
        first, second = communities[0], communities[min(1, len(communities) - 1)]
        venues.append(
            _add_venue(
                summary,
                rng,
                first,
                name=f"{first.name}长者食堂",
                kind=VenueKind.CANTEEN,
                hours=CANTEEN_HOURS,
                rooms=[("餐厅", 60, "")],
                facilities="助餐、送餐上门",
            )
        )
        venues.append(
            _add_venue(
                summary,
                rng,
                second,
                name=f"{second.name}红色驿站",
                kind=VenueKind.RED_STATION,
                hours=STATION_HOURS,
                rooms=[("休息室", 8, "饮水机、充电、急救箱")],
                needs_approval=False,
                facilities="为快递员、外卖骑手、环卫工人提供歇脚服务",
            )
        )
    # 共享家园: partner units open a room after work; the demo liaison's unit is one of them
    liaison = User.objects.filter(username="lianluoyuan").first()
    own = (
        list(PartnerUnit.objects.filter(liaisons=liaison, active=True).order_by("name")[:1])
        if liaison
        else []
    )
    nearby = PartnerUnit.objects.filter(region__path__gte=low, region__path__lt=high, active=True).exclude(
        pk__in=[u.pk for u in own]
    )
    units = (own + list(nearby.order_by("name")[:3])) if communities else []
    for i, unit in enumerate(units):
        community = communities[i % len(communities)] if unit.region.level != Level.COMMUNITY else unit.region
        if not community.path.startswith(street.path):
            community = communities[i % len(communities)]
        venues.append(
            _add_venue(
                summary,
                rng,
                community,
                name=f"{unit.name}共享家园",
                kind=VenueKind.SHARED_HOME,
                unit=unit,
                hours=SHARED_HOURS,
                rooms=[("共享会议室", 20, "投影"), ("职工书屋", 10, "")],
            )
        )
    rooms = list(Room.objects.filter(venue__in=venues, bookable=True).select_related("venue__region"))
    members = list(User.objects.filter(username__in=["dangyuan", "wanggezhang"], is_active=True))
    _bookings(rooms, now, rng, members, summary)
    _services(venues, now, rng, summary)
    return summary
