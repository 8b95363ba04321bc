from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tongxin.audit.models import AuditEvent
from tongxin.core.actors import SYSTEM
from tongxin.lib.validators import id_card_check_digit
from tongxin.people.models import Person, PositionKind
from tongxin.people.services import (
    find_person_by_id_card,
    person_create,
    person_reveal,
    person_update,
    position_create,
    position_end,
)
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db

ID = "32050819900101123" + id_card_check_digit("32050819900101123")


def test_phone_and_id_card_are_encrypted_and_masked(tree):
    person = person_create(name="王芳", region=tree.building, phone="13812341234", id_card=ID)
    row = Person.objects.filter(pk=person.pk).values("phone_encrypted", "id_card_encrypted").get()
    assert "13812341234" not in row["phone_encrypted"]
    assert ID not in row["id_card_encrypted"]
    assert person.phone_masked == "138****1234"
    assert find_person_by_id_card(ID.lower()) == person


def test_duplicate_id_card_refused(tree):
    person_create(name="王芳", region=tree.building, id_card=ID)
    with pytest.raises(ValidationError) as exc:
        person_create(name="王芳芳", region=tree.building, id_card=ID)
    assert "id_card" in exc.value.message_dict


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"id_card": "320508199001011230X"}, "id_card"),
        ({"party_status": "full"}, "party_joined_on"),
        (
            {
                "party_status": "probationary",
                "party_joined_on": date(2024, 1, 1),
                "party_full_on": date(2025, 1, 1),
            },
            "party_full_on",
        ),
        ({"name": " "}, "name"),
    ],
)
def test_person_validation(tree, data, field):
    data = {"name": "李明", **data}
    with pytest.raises(ValidationError) as exc:
        person_create(region=tree.building, **data)
    assert field in exc.value.message_dict


def test_update_keeps_phone_unless_given(tree):
    person = person_create(name="王芳", region=tree.building, phone="13812341234")
    person = person_update(person=person, actor=SYSTEM, address="1单元101")
    assert person.reveal_phone() == "13812341234"
    person = person_update(person=person, actor=SYSTEM, phone="13900001111")
    assert person.phone_masked == "139****1111"


def test_reveal_is_audited(tree):
    user = make_user("community_secretary", tree.community_a1)
    person = person_create(name="王芳", region=tree.building, phone="13812341234")
    assert person_reveal(person=person, field="phone", actor=user, purpose="contact") == "13812341234"
    event = AuditEvent.objects.get(action="reveal")
    assert event.actor == user and event.region == tree.building
    assert event.detail == {"field": "phone", "purpose": "contact", "note": ""}


def test_positions_rules(tree):
    person = person_create(name="赵强", region=tree.grids["1.1"])
    with pytest.raises(ValidationError):
        position_create(
            person=person, kind=PositionKind.GRID_WORKER, region=tree.community_a1, starts_on=date(2024, 1, 1)
        )
    with pytest.raises(ValidationError):
        position_create(
            person=person, kind=PositionKind.SECRETARY, region=tree.community_a1, starts_on=date(2024, 1, 1)
        )
    post = position_create(
        person=person, kind=PositionKind.GRID_WORKER, region=tree.grids["1.1"], starts_on=date(2024, 1, 1)
    )
    secretary = position_create(
        person=person,
        kind=PositionKind.SECRETARY,
        organisation=tree.orgs["grid_branch"],
        starts_on=date(2024, 1, 1),
    )
    assert secretary.region == tree.grids["1.1"]
    with pytest.raises(ValidationError):
        position_end(position=post, actor=SYSTEM, ends_on=date(2023, 12, 31))
    ended = position_end(position=post, actor=SYSTEM, ends_on=date(2024, 6, 30))
    assert not ended.is_current(date(2024, 7, 1)) and ended.is_current(date(2024, 6, 30))
