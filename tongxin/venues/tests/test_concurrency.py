"""Two requests for one room at one time, at the same moment, on PostgreSQL (real row locks, real
concurrent transactions): exactly one booking is made, the other is refused as a conflict."""

import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from tongxin.core.actors import RESIDENT
from tongxin.testing import race
from tongxin.venues import services
from tongxin.venues.models import Booking
from tongxin.venues.testing import make_venue, slot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: sh scripts/with-postgres.sh .venv/bin/pytest tongxin/venues")


@pytest.fixture
def slow_check(monkeypatch):
    """The overlap check takes a moment while the room is locked, so the two attempts overlap."""
    original = services.overlapping

    def slow(*args: Any) -> Any:
        found = original(*args)
        found.exists()
        time.sleep(0.3)
        return found

    monkeypatch.setattr(services, "overlapping", slow)


def test_two_concurrent_bookings_of_one_room_never_both_succeed(tree, slow_check):
    _venue, room = make_venue(tree.community_a1)
    first, second = slot(1, 14, 2), slot(1, 15, 2)  # overlapping by an hour

    def book(when: tuple[Any, Any], name: str) -> Any:
        return services.booking_create(
            actor=RESIDENT,
            room=room,
            starts_at=when[0],
            ends_at=when[1],
            purpose="读书会",
            name=name,
            phone="13800001234",
        )

    started = time.monotonic()
    results = race(lambda: book(first, "张三"), lambda: book(second, "李四"))
    assert time.monotonic() - started >= 0.6  # the second waited for the first's lock
    made = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert "starts_at" in refused[0].message_dict
    assert Booking.objects.filter(room=room).count() == 1


def test_concurrent_form_posts_make_one_booking(tree, slow_check):
    venue, room = make_venue(tree.community_a1)
    start, _end = slot(2, 9, 2)

    def post(phone: str) -> Any:
        return Client(REMOTE_ADDR=f"10.0.0.{phone[-1]}").post(
            f"/venues/{venue.pk}/book/",
            {
                "room": room.pk,
                "day": start.date().isoformat(),
                "starts": "09:00",
                "ends": "11:00",
                "purpose": "义诊",
                "attendees": 5,
                "name": "王五",
                "phone": phone,
            },
        )

    responses = race(lambda: post("13900000001"), lambda: post("13900000002"))
    assert sorted(r.status_code for r in responses) == [302, 400], [r.status_code for r in responses]
    assert Booking.objects.filter(room=room).count() == 1
