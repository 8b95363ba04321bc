"""Activities and meetings reserve a room in the same step: booked with them, or refused with them
(a clash undoes the activity or meeting, and shows as an error on the form's room field)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongxin.activities import services as activities
from tongxin.activities.models import Activity
from tongxin.core.roles import Role
from tongxin.meetings import services as meetings
from tongxin.meetings.models import Meeting
from tongxin.testing import make_user
from tongxin.venues.models import Booking, BookingStatus
from tongxin.venues.testing import slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(tree):
    return make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="secretary_a1")


def _activity(secretary, tree, room, start, end, title="主题党日"):
    return activities.activity_create(
        organiser=secretary,
        region=tree.community_a1,
        title=title,
        kind="themed_party_day",
        place="党群服务中心",
        starts_at=start,
        ends_at=end,
        room=room,
    )


def test_activity_books_its_room_and_a_clash_undoes_it(tree, centre, secretary):
    _venue, room = centre
    start, end = slot(2, 9, 2)
    activity = _activity(secretary, tree, room, start, end)
    booking = Booking.objects.get(reference=f"activities.activity:{activity.pk}")
    assert booking.status == BookingStatus.APPROVED  # the keeper's own booking
    assert (booking.starts_at, booking.ends_at) == (start, end)
    with pytest.raises(ValidationError) as err:
        _activity(secretary, tree, room, start, end, title="重复的活动")
    assert "room" in err.value.message_dict
    assert not Activity.objects.filter(title="重复的活动").exists()


def test_meeting_books_its_room_and_a_clash_is_a_form_error(client, tree, centre, secretary):
    _venue, room = centre
    start, _end = slot(3, 10, 2)
    meeting = meetings.meeting_schedule(
        actor=secretary, title="联席会议", scheduled_at=start, region=tree.community_a1, room=room
    )
    booking = Booking.objects.get(reference=f"meetings.meeting:{meeting.pk}")
    assert booking.ends_at - booking.starts_at == meetings.timedelta(hours=meetings.MEETING_ROOM_HOURS)
    client.force_login(secretary)
    response = client.post(
        reverse("meetings:create"),
        {
            "region": tree.community_a1.pk,
            "kind": "joint",
            "title": "撞车的会议",
            "scheduled_at": start.strftime("%Y-%m-%dT%H:%M"),
            "room": room.pk,
        },
    )
    assert response.status_code == 200
    assert "already booked" in response.content.decode()
    assert not Meeting.objects.filter(title="撞车的会议").exists()
