"""The one shape of an edit: lock, diff, early return, one audit row with masked personal data."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.actors import RESIDENT, SYSTEM
from tongxin.core.roles import Role
from tongxin.people.models import Person
from tongxin.people.services import person_create, person_update
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


def _changes() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.RECORD_CHANGED).order_by("id"))


def test_an_edit_records_who_changed_what_with_personal_data_masked(tree):
    person = person_create(name="王芳", region=tree.building, phone="13812341234")
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    person_update(person=person, actor=official, address="1单元101", phone="13900001111")
    [event] = _changes()
    assert event.actor == official
    assert event.target == f"person:{person.pk}"
    assert event.region_path == tree.building.path
    changes = event.detail["changes"]
    assert changes["address"] == ["", "1单元101"]
    assert changes["phone"] == ["138****1234", "139****1111"]
    assert "13900001111" not in str(event.detail) and "13812341234" not in str(event.detail)
    assert Person.objects.get(pk=person.pk).reveal_phone() == "13900001111"


def test_nothing_changed_is_nothing_saved_and_nothing_recorded(tree):
    person = person_create(name="王芳", region=tree.building, phone="13812341234")
    person_update(person=person, actor=SYSTEM, name="王芳", phone="13812341234")
    assert _changes() == []


def test_a_refused_or_invalid_edit_changes_and_records_nothing(tree):
    person = person_create(name="王芳", region=tree.building)
    elsewhere = make_user(Role.STREET_OFFICIAL, tree.street_b)
    for actor in [RESIDENT, elsewhere]:
        with pytest.raises(PermissionDenied):
            person_update(person=person, actor=actor, address="改了")
    with pytest.raises(ValidationError):
        person_update(person=person, actor=SYSTEM, name="")
    assert Person.objects.get(pk=person.pk).name == "王芳"
    assert _changes() == []


def test_the_system_is_recorded_by_name(tree):
    person = person_create(name="王芳", region=tree.building)
    person_update(person=person, actor=SYSTEM, address="2单元")
    [event] = _changes()
    assert event.actor is None and event.actor_username == "system"


def test_the_audit_page_shows_each_change_by_its_name(client, tree):
    person = person_create(name="王芳", region=tree.building, phone="13812341234")
    person_update(person=person, actor=SYSTEM, address="1单元101", phone="13900001111")
    client.force_login(make_user(Role.AUDITOR, tree.city))
    page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "地址：— → 1单元101" in page
    assert "电话：138****1234 → 139****1111" in page and "13900001111" not in page
