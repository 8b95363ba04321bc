"""The audit trail: append-only, hash-chained, scoped to the auditor, verified by a command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tongxin.audit.models import Action, AuditEvent, Outcome
from tongxin.audit.selectors import audit_events_visible
from tongxin.audit.services import GENESIS, audit_record, audit_verify
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.regions.models import Level
from tongxin.regions.services import region_create, region_delete
from tongxin.testing import make_user

LIST = reverse("audit:list")


def request_from(ip: str):
    return RequestFactory().get("/", REMOTE_ADDR=ip)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- append-only and the chain ---


def test_events_are_chained(db):
    first = audit_record(action=Action.LOGIN, username="a")
    second = audit_record(action=Action.LOGOUT, username="a")
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash and second.hash != first.hash
    assert audit_verify() == (True, None)


def test_events_cannot_be_saved_again_or_deleted(db):
    event = audit_record(action=Action.LOGIN, username="a")
    event.outcome = Outcome.FAILURE
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).outcome == Outcome.SUCCESS


@pytest.mark.parametrize(
    "change",
    [{"outcome": Outcome.DENIED}, {"actor_username": "someone"}, {"ip": "10.0.0.9"}, {"detail": {"x": 1}}],
)
def test_tampering_is_detected(db, change):
    audit_record(action=Action.LOGIN, username="a")
    middle = audit_record(action=Action.LOGIN_FAILED, username="b", outcome=Outcome.FAILURE)
    audit_record(action=Action.LOGOUT, username="a")
    AuditEvent.objects.filter(pk=middle.pk).update(**change)  # around save(), as an attacker with SQL would
    assert audit_verify() == (False, middle.pk)


def test_a_removed_event_is_detected(db):
    audit_record(action=Action.LOGIN, username="a")
    middle = audit_record(action=Action.LOGIN, username="b")
    last = audit_record(action=Action.LOGIN, username="c")
    AuditEvent.objects.filter(pk=middle.pk)._raw_delete(AuditEvent.objects.db)
    assert audit_verify() == (False, last.pk)


def test_deleting_a_region_does_not_break_the_chain(tree):
    grid = region_create(
        actor=SYSTEM,
        name="临时网格",
        level=Level.GRID,
        code=tree.community_a2.code + "009",
        parent=tree.community_a2,
    )
    audit_record(action=Action.EXPORT, username="a", region=grid)
    region_delete(region=grid)
    event = AuditEvent.objects.get()
    assert event.region is None and event.region_path  # the path stays as a record
    assert audit_verify() == (True, None)


@pytest.mark.parametrize(
    ("remote", "stored"),
    [("10.1.2.3", "10.1.2.3"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("not-an-ip", None), ("", None)],
)
def test_ip_is_stored_as_hashed(db, remote, stored):
    audit_record(action=Action.LOGIN, username="a", request=request_from(remote))
    assert AuditEvent.objects.get().ip == stored
    assert audit_verify() == (True, None)


def test_verify_command(db):
    call_command("audit_verify")  # empty chain is intact
    audit_record(action=Action.LOGIN, username="a")
    event = audit_record(action=Action.LOGIN, username="b")
    call_command("audit_verify")
    AuditEvent.objects.filter(pk=event.pk).update(target="x")
    with pytest.raises(CommandError, match=f"event {event.pk} was changed") as failure:
        call_command("audit_verify")
    assert failure.value.returncode == 1


# --- the auditor's scope ---


@pytest.fixture
def events(tree):
    return {
        "login": audit_record(action=Action.LOGIN, username="someone"),
        "street_a": audit_record(action=Action.EXPORT, username="x", region=tree.street_a),
        "grid": audit_record(action=Action.REVEAL, username="x", region=tree.grids["1.1"]),
        "street_b": audit_record(action=Action.IMPORT, username="y", region=tree.street_b),
    }


def test_city_auditor_sees_everything(tree, events):
    auditor = make_user(Role.AUDITOR, tree.city)
    assert set(audit_events_visible(auditor).exclude(action=Action.ROLE_GRANTED)) == set(events.values())


def test_street_auditor_sees_own_subtree_without_unfiled_events(tree, events):
    auditor = make_user(Role.AUDITOR, tree.street_a)
    # the auditor's own role grant is filed under street A too
    assert set(audit_events_visible(auditor).exclude(action=Action.ROLE_GRANTED)) == {
        events["street_a"],
        events["grid"],
    }


def test_other_roles_see_nothing(tree, events):
    assert not audit_events_visible(make_user(Role.SECURITY_ADMIN, tree.city)).exists()
    assert not audit_events_visible(make_user(Role.STREET_OFFICIAL, tree.street_a)).exists()


# --- the page ---


def test_page_refuses_anonymous_wrong_role_and_post(tree):
    assert Client().get(LIST).status_code == 302
    assert client_for(make_user(Role.SECURITY_ADMIN, tree.city)).get(LIST).status_code == 403
    assert client_for(make_user(Role.SYSTEM_ADMIN, tree.city)).get(LIST).status_code == 403
    assert client_for(make_user(Role.AUDITOR, tree.city)).post(LIST).status_code == 405


def test_page_lists_the_auditors_events(tree, events):
    response = client_for(make_user(Role.AUDITOR, tree.street_a)).get(LIST)
    assert response.status_code == 200
    assert {e for e in response.context["page"] if e.action != Action.ROLE_GRANTED} == {
        events["street_a"],
        events["grid"],
    }
    assert response.context["intact"] is True and response.context["sees_unfiled"] is False
    assert "someone" not in response.content.decode()


def test_page_filters(tree, events):
    auditor = make_user(Role.AUDITOR, tree.city)
    failed = audit_record(action=Action.LOGIN_FAILED, username="zhang.wei", outcome=Outcome.FAILURE)
    client = client_for(auditor)

    def shown(**query):
        response = client.get(LIST, query)
        assert response.status_code == 200
        return set(response.context["page"])

    assert shown(action=Action.REVEAL) == {events["grid"]}
    assert shown(outcome=Outcome.FAILURE) == {failed}
    assert shown(account="zhang") == {failed}
    today = timezone.localdate()
    assert shown(date_from=today.isoformat(), date_to=today.isoformat()) >= set(events.values())
    assert shown(date_to=(today - timedelta(days=1)).isoformat()) == set()
    assert shown(date_from=(today + timedelta(days=1)).isoformat()) == set()


@pytest.mark.parametrize(
    "query",
    [
        {"action": "nonsense"},
        {"date_from": "yesterday"},
        {"date_from": "2026-02-02", "date_to": "2026-02-01"},
    ],
)
def test_page_bad_filters(tree, events, query):
    response = client_for(make_user(Role.AUDITOR, tree.city)).get(LIST, query)
    assert response.status_code == 400
    assert list(response.context["page"]) == []


def test_page_is_paginated(tree):
    for i in range(60):
        audit_record(action=Action.LOGIN, username=f"u{i}")
    client = client_for(make_user(Role.AUDITOR, tree.city))
    first = client.get(LIST)
    assert len(first.context["page"]) == 50 and first.context["page"].has_next()
    second = client.get(LIST, {"page": 2})
    # the auditor's own role grant and the 60 log-ins
    assert len(second.context["page"]) == second.context["page"].paginator.count - 50


def test_page_shows_a_broken_chain(tree, events):
    AuditEvent.objects.filter(pk=events["grid"].pk).update(outcome=Outcome.DENIED)
    response = client_for(make_user(Role.AUDITOR, tree.city)).get(LIST)
    assert response.context["intact"] is False
    assert response.context["first_broken"] == events["grid"].pk
    assert f"#{events['grid'].pk}" in response.content.decode()
