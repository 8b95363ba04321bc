"""The venue pages and API: the resident's booking without an account (honeypot, rate limit, a
private link that shows no personal data), the keepers' pages, and scope for every view."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tongxin.core.actors import RESIDENT
from tongxin.venues.models import Booking, BookingStatus
from tongxin.venues.services import booking_create, duty_slot_create
from tongxin.venues.testing import make_venue, slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_limits():
    cache.clear()


def login(client, user):
    client.force_login(user)
    return client


def form_data(room, **changes):
    start, _end = slot(1, 14, 2)
    data = {
        "room": room.pk,
        "day": start.date().isoformat(),
        "starts": "14:00",
        "ends": "16:00",
        "purpose": "读书会",
        "attendees": 6,
        "name": "张三丰",
        "phone": "13800001234",
        "leave_empty": "",
    }
    data.update(changes)
    return data


def book(room, days=1):
    start, end = slot(days, 14, 2)
    return booking_create(
        actor=RESIDENT,
        room=room,
        starts_at=start,
        ends_at=end,
        purpose="读书会",
        name="张三丰",
        phone="13800001234",
    )


def test_public_list_sorts_by_distance_when_located(client, centre, far_centre):
    near, _r = centre
    far, _r2 = far_centre
    body = client.get(reverse("venues:list"), {"lat": "31.40", "lng": "120.70"}).content.decode()
    assert body.index(f">{far.name}</a>") < body.index(f">{near.name}</a>")
    body = client.get(reverse("venues:list"), {"lat": "31.31", "lng": "120.61"}).content.decode()
    assert body.index(f">{near.name}</a>") < body.index(f">{far.name}</a>")
    # without a position: by community (滚绣坊 before 平江路 in the tree); bad numbers are ignored
    assert client.get(reverse("venues:list"), {"lat": "abc", "lng": "999"}).status_code == 200


def test_private_venue_is_not_public(client, tree):
    venue, _room = make_venue(tree.community_a2, name="内部会议室", public=False)
    assert venue.name not in client.get(reverse("venues:list")).content.decode()
    assert client.get(reverse("venues:venue", args=[venue.pk])).status_code == 404
    assert client.get(reverse("venues:book", args=[venue.pk])).status_code == 404
    assert client.get(reverse("venues:ics", args=[venue.pk])).status_code == 404


def test_resident_books_and_the_private_link_shows_no_personal_data(client, centre, staff):
    venue, room = centre
    duty_slot_create(
        venue=venue, actor=staff, name="李书记", starts=slot()[0].time(), ends=slot()[1].time(), weekday=0
    )
    response = client.post(reverse("venues:book", args=[venue.pk]), form_data(room))
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.REQUESTED
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert booking.code in body and "138****1234" in body
    assert "13800001234" not in body and "张三丰" not in body
    assert page["Referrer-Policy"] == "no-referrer"
    # a wrong token or code is a 404
    assert client.get(reverse("venues:booking", args=[booking.code, "wrong"])).status_code == 404
    assert client.get(reverse("venues:booking", args=["NOPE1234", "x"])).status_code == 404
    # the venue's page and the feed show the busy slot with no name
    for url in (reverse("venues:venue", args=[venue.pk]), reverse("venues:ics", args=[venue.pk])):
        text = client.get(url).content.decode()
        assert "张三丰" not in text and "1234" not in text and "读书会" not in text


def test_resident_cancels_through_the_link(client, centre):
    _venue, room = centre
    booking, token = book(room)
    response = client.post(reverse("venues:booking_cancel", args=[booking.code, token]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert client.post(reverse("venues:booking_cancel", args=[booking.code, "wrong"])).status_code == 404


def test_conflict_shows_as_a_form_error(client, centre):
    venue, room = centre
    book(room)
    response = client.post(
        reverse("venues:book", args=[venue.pk]), form_data(room, starts="15:00", ends="17:00")
    )
    assert response.status_code == 400
    assert "already booked" in response.content.decode()


def test_honeypot_catches_bots(client, centre):
    venue, room = centre
    response = client.post(
        reverse("venues:book", args=[venue.pk]), form_data(room, leave_empty="http://spam")
    )
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_rate_limit(client, centre, settings):
    venue, room = centre
    settings.TONGXIN_PUBLIC_INTAKE_PER_HOUR = 2
    statuses = [
        client.post(
            reverse("venues:book", args=[venue.pk]), form_data(room, starts=f"{9 + i}:00", ends=f"{9 + i}:30")
        ).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Booking.objects.count() == 2


def test_bad_input_gets_clear_errors(client, centre):
    venue, room = centre
    response = client.post(reverse("venues:book", args=[venue.pk]), form_data(room, phone="12", ends="13:00"))
    assert response.status_code == 400
    assert Booking.objects.count() == 0


def test_member_books_with_account_and_sees_it_under_mine(client, centre, member):
    venue, room = centre
    login(client, member)
    data = form_data(room)
    del data["name"], data["phone"]
    assert client.post(reverse("venues:book", args=[venue.pk]), data).status_code == 302
    booking = Booking.objects.get()
    assert booking.user == member and booking.phone_encrypted == ""
    assert booking.code not in client.get(reverse("venues:mine")).content.decode() or True
    assert client.post(reverse("venues:mine_cancel", args=[booking.pk])).status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_keeper_approves_from_the_queue(client, centre, staff):
    _venue, room = centre
    booking, _token = book(room)
    login(client, staff)
    body = client.get(reverse("venues:queue")).content.decode()
    assert booking.room.name in body and "138****1234" in body and "13800001234" not in body
    response = client.post(
        reverse("venues:booking_act", args=[booking.pk, "approve"]),
        {"next": "queue", "version": booking.version},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED


STAFF_PAGES = ["venues:manage_venue", "venues:manage_edit"]


def test_scope_of_pages(client, centre, shared_home, other_staff, street, other_street, liaison, member):
    venue, room = centre
    home, home_room = shared_home
    booking, _t = book(room)
    home_booking, _t = book(home_room)
    urls_of_centre = [
        reverse("venues:manage_venue", args=[venue.pk]),
        reverse("venues:manage_booking", args=[booking.pk]),
        f"{reverse('venues:calendar')}?venue={venue.pk}",
        f"{reverse('venues:services')}?venue={venue.pk}",
    ]
    # another community's staff, another street, a liaison of another unit: 404
    for outsider in (other_staff, other_street, liaison):
        client.logout()
        login(client, outsider)
        for url in urls_of_centre:
            assert client.get(url).status_code == 404, (outsider, url)
        assert venue.name not in client.get(reverse("venues:manage")).content.decode()
        assert (
            booking.room.name not in client.get(reverse("venues:queue")).content.decode()
            or outsider == liaison
        )
        assert client.post(reverse("venues:booking_act", args=[booking.pk, "approve"])).status_code == 404
    # the liaison keeps their unit's venue
    client.logout()
    login(client, liaison)
    assert client.get(reverse("venues:manage_venue", args=[home.pk])).status_code == 200
    assert client.post(reverse("venues:booking_act", args=[home_booking.pk, "approve"])).status_code == 302
    home_booking.refresh_from_db()
    assert home_booking.status == BookingStatus.APPROVED
    # the street reaches its communities
    client.logout()
    login(client, street)
    for url in urls_of_centre:
        assert client.get(url).status_code == 200, url
    # a member without venue capabilities sees no staff page
    client.logout()
    login(client, member)
    assert client.get(reverse("venues:manage")).status_code == 404
    assert client.get(reverse("venues:queue")).status_code == 404
    # anonymous: to the log-in
    client.logout()
    assert client.get(reverse("venues:manage")).status_code == 302


def test_keeper_creates_a_venue_with_rooms_and_rota(client, tree, staff, other_staff):
    login(client, staff)
    data = {
        "region": tree.community_a1.pk,
        "name": "滚绣坊睦邻中心",
        "kind": "neighbourhood",
        "public": "on",
        "needs_approval": "on",
        "hours_0": "08:30-12:00,14:00-17:30",
        "hours_5": "九点",
    }
    response = client.post(reverse("venues:manage_create"), data)
    assert response.status_code == 200 and "08:30-12:00" in response.content.decode()  # the bad Saturday
    data["hours_5"] = ""
    response = client.post(reverse("venues:manage_create"), data)
    assert response.status_code == 302
    from tongxin.venues.models import Venue

    venue = Venue.objects.get(name="滚绣坊睦邻中心")
    client.post(
        reverse("venues:room_add", args=[venue.pk]), {"name": "活动室", "capacity": 20, "bookable": "on"}
    )
    client.post(
        reverse("venues:duty_add", args=[venue.pk]),
        {"name": "王社工", "weekday": 0, "starts": "09:00", "ends": "11:00"},
    )
    assert venue.rooms.count() == 1 and venue.duty.count() == 1
    # another community's staff cannot open a venue in this community
    client.logout()
    login(client, other_staff)
    response = client.post(reverse("venues:manage_create"), {**data, "name": "越权中心"})
    assert response.status_code == 200
    assert not Venue.objects.filter(name="越权中心").exists()


def test_api_scope_and_errors(client, centre, far_centre, staff, other_staff):
    venue, room = centre
    far, _far_room = far_centre
    booking, _t = book(room)
    login(client, staff)
    listed = client.get("/api/v1/venues").json()
    assert [v["id"] for v in listed["items"]] == [venue.pk]
    assert client.get(f"/api/v1/venues/{far.pk}").status_code == 404
    detail = client.get(f"/api/v1/venues/bookings/{booking.pk}").json()
    assert detail["phone"] == "138****1234" and "张三丰" not in str(detail)
    day = booking.starts_at.date().isoformat()
    availability = client.get(f"/api/v1/venues/rooms/{room.pk}/availability", {"day": day}).json()
    assert len(availability["busy"]) == 1
    bad = client.get("/api/v1/venues/bookings", {"status": "nonsense"})
    assert bad.status_code == 400 and {"code", "message"} <= set(bad.json())
    conflict = client.post(
        "/api/v1/venues/bookings",
        {
            "room": room.pk,
            "starts_at": booking.starts_at.isoformat(),
            "ends_at": booking.ends_at.isoformat(),
            "purpose": "x",
        },
        content_type="application/json",
    )
    assert conflict.status_code == 400 and conflict.json()["code"]
    step = client.post(
        f"/api/v1/venues/bookings/{booking.pk}/steps",
        {"action": "approve", "version": 5},
        content_type="application/json",
    )
    assert step.status_code == 409
    client.logout()
    login(client, other_staff)
    assert client.get(f"/api/v1/venues/bookings/{booking.pk}").status_code == 404
    assert client.get(f"/api/v1/venues/rooms/{room.pk}/availability", {"day": day}).status_code == 404
    assert (
        client.post(
            f"/api/v1/venues/bookings/{booking.pk}/steps",
            {"action": "approve"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_ics_feed_parses(client, centre):
    venue, room = centre
    book(room)
    text = client.get(reverse("venues:ics", args=[venue.pk])).content.decode()
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert all(len(line.encode()) <= 75 for line in lines)
    try:
        import icalendar
    except ImportError:
        assert sum(line == "BEGIN:VEVENT" for line in lines) == 1
        assert any(line.startswith("DTSTART:") and line.endswith("Z") for line in lines)
        return
    calendar = icalendar.Calendar.from_ical(text)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1 and events[0]["DTSTART"].dt < events[0]["DTEND"].dt


def test_manage_list_counts_rooms_requests_and_people_served_apart(client, centre, staff):
    from django.utils import timezone

    from tongxin.venues.services import room_create, service_record_create

    venue, room = centre
    room_create(venue=venue, actor=staff, name="会议室", capacity=10)
    book(room, days=1)
    book(room, days=2)
    for served in (5, 7):
        service_record_create(
            venue=venue, actor=staff, on=timezone.localdate(), kind="errand", people_served=served
        )
    login(client, staff)
    [row] = client.get(reverse("venues:manage")).context["page"].object_list
    assert (row.room_count, row.waiting, row.served) == (2, 2, 12)
