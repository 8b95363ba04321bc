"""The Excel export of a venue's or a community's bookings: the rows of the period, totals as the
usage, the booker's name only for whoever may see people there, never a phone; audited; another
community's keeper gets a 404."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.actors import RESIDENT
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.venues.services import booking_create
from tongxin.venues.testing import make_venue, slot

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
URL = reverse("venues:booking_export")


@pytest.fixture
def booked(centre, tree):
    _venue, room = centre
    starts, ends = slot(days=2)
    booking, _token = booking_create(
        actor=RESIDENT,
        room=room,
        starts_at=starts,
        ends_at=ends,
        purpose="书法兴趣班",
        attendees=8,
        name="王阿姨",
        phone=PHONE,
    )
    _other_venue, other_room = make_venue(tree.community_b1, name="另一社区中心")
    starts, ends = slot(days=3)
    booking_create(
        actor=RESIDENT,
        room=other_room,
        starts_at=starts,
        ends_at=ends,
        purpose="别处的活动",
        attendees=5,
        name="李先生",
        phone="13800000000",
    )
    return booking


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


def _period(days: int = 7) -> dict[str, str]:
    today = slot(days=0)[0].date()
    return {"since": today.isoformat(), "until": (today + timedelta(days=days)).isoformat()}


def test_the_keeper_exports_a_venues_bookings_with_names_never_phones(client, centre, staff, booked):
    venue, _room = centre
    assert scope_for(staff, Capability.PEOPLE_VIEW).contains(venue.region.path)
    client.force_login(staff)
    rows = _sheet(client.get(URL, {"venue": venue.pk, **_period()}))
    text = str(rows)
    assert "书法兴趣班" in text and "多功能室" in text and "王阿姨" in text
    assert "别处的活动" not in text  # another community's venue
    assert PHONE not in text and "139****5678" not in text and "5678" not in text
    # the booking's row carries its people, the totals row sums them
    assert any(8 in row for row in rows)
    event = AuditEvent.objects.filter(action=Action.EXPORT, target="venue-bookings:xlsx").get()
    assert event.actor == staff and event.detail["rows"] == 1


def test_a_community_export_and_the_period(client, tree, staff, booked):
    client.force_login(staff)
    rows = _sheet(client.get(URL, {"community": tree.community_a1.pk, **_period()}))
    assert "书法兴趣班" in str(rows)
    since = (booked.starts_at + timedelta(days=1)).date().isoformat()
    rows = _sheet(client.get(URL, {"community": tree.community_a1.pk, "since": since}))
    assert "书法兴趣班" not in str(rows)


def test_without_the_people_permission_no_names(client, centre, booked, liaison, shared_home):
    """A partner unit's liaison keeps their unit's venue and may not see people: no name column."""
    venue, room = shared_home
    assert not scope_for(liaison, Capability.PEOPLE_VIEW).contains(venue.region.path)
    starts, ends = slot(days=4)
    booking_create(
        actor=RESIDENT,
        room=room,
        starts_at=starts,
        ends_at=ends,
        purpose="义诊",
        attendees=20,
        name="赵大爷",
        phone=PHONE,
    )
    client.force_login(liaison)
    rows = _sheet(client.get(URL, {"venue": venue.pk, **_period()}))
    assert "义诊" in str(rows) and "赵大爷" not in str(rows) and PHONE not in str(rows)


def test_another_communitys_keeper_gets_a_404(client, centre, tree, other_staff, booked):
    venue, _room = centre
    client.force_login(other_staff)
    assert client.get(URL, {"venue": venue.pk}).status_code == 404
    assert client.get(URL, {"community": tree.community_a1.pk}).status_code == 404
    # with neither, only their own community's bookings
    rows = _sheet(client.get(URL, _period()))
    assert "书法兴趣班" not in str(rows) and "别处的活动" in str(rows)


def test_a_member_and_anonymous_get_nothing(client, member, booked):
    assert client.get(URL).status_code in (302, 404)
    client.force_login(member)
    assert client.get(URL).status_code == 404


def test_a_bad_period_goes_back_to_the_calendar(client, staff, booked):
    client.force_login(staff)
    response = client.get(URL, {"since": "2026-12-09", "until": "2026-12-01"})
    assert response.status_code == 302 and reverse("venues:calendar") in response["Location"]
