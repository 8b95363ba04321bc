"""The 12345 exchange: signed pushes make one case per ticket, and every change of the case goes
back to the platform's callback, signed, in order, until acknowledged."""

import json
import time

import pytest
from django.test import Client

from tongxin.audit.models import AuditEvent
from tongxin.cases import selectors as case_selectors
from tongxin.cases.models import Case, CaseSource, CaseStatus
from tongxin.cases.services import case_transition
from tongxin.cases.tests.cast import build_cast
from tongxin.core.actors import RESIDENT, SYSTEM
from tongxin.exchange.feed import collect
from tongxin.exchange.models import HotlineEvent, HotlineTicket, SendStatus
from tongxin.exchange.sending import hotline_send_all
from tongxin.exchange.services import peer_create, peer_update, ticket_receive
from tongxin.exchange.tests.fakes import FakeHotline, free_port
from tongxin.exchange.tests.helpers import URL, push, signed_headers, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer(tree):
    made, secret = peer_create(actor=SYSTEM, name="姑苏区12345热线", code="gusu-12345", region=tree.county)
    made.secret = secret
    return made


@pytest.fixture
def client():
    return Client()


def test_a_signed_push_makes_an_ordinary_case(tree, peer, client):
    answer = push(client, peer.secret, ticket())
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["created"] is True and body["ticket_number"] == "GS20261207000123"
    case = Case.objects.get(tracking_code=body["case"])
    assert case.source == CaseSource.HOTLINE and case.hotline_ticket == "GS20261207000123"
    assert case.grid == tree.grids["1.1"] and case.community == tree.community_a1
    # the caller's phone is kept encrypted, shown masked
    assert "13812345678" not in case.reporter_phone_encrypted
    assert case.reporter_phone_masked == "138****5678"
    ticket_row = HotlineTicket.objects.get(case=case)
    assert ticket_row.deadline.isoformat() == "2026-12-10T10:00:00+00:00"
    # in the community's list, like any case
    secretary = build_cast(tree).secretary
    assert case in case_selectors.cases_visible(secretary)
    assert AuditEvent.objects.filter(target=f"case:{case.pk}", detail__ticket="GS20261207000123").exists()


def test_the_same_ticket_twice_is_one_case(tree, peer, client):
    first = push(client, peer.secret, ticket()).json()
    again = push(
        client,
        peer.secret,
        ticket(deadline="2026-12-11T18:00:00+08:00", description="市民再次来电催办：垃圾仍未清运"),
    )
    assert again.status_code == 200
    assert again.json() == {**first, "created": False}
    assert Case.objects.filter(hotline_ticket="GS20261207000123").count() == 1
    row = HotlineTicket.objects.get()
    assert row.deadline.isoformat() == "2026-12-11T10:00:00+00:00"
    assert row.updates[-1]["text"] == "市民再次来电催办：垃圾仍未清运"


def test_a_category_by_text_and_a_community_by_code(tree, peer, client):
    data = ticket(
        "T-2", category="", category_text="垃圾清运", lng=None, lat=None, community=tree.community_a2.code
    )
    answer = push(client, peer.secret, data)
    assert answer.status_code == 201, answer.content
    case = Case.objects.get(hotline_ticket="T-2")
    assert case.community == tree.community_a2 and case.category.code == "0101"
    # a text Tongxin does not know, and no default category: refused with the reason
    answer = push(client, peer.secret, {**data, "ticket_number": "T-3", "category_text": "不存在的类别"})
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "category"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"peer": "nobody"}, "unsigned"),
        ({"at": -301}, "stale"),
        ({"at": +301}, "stale"),
    ],
)
def test_refused_pushes(tree, peer, client, change, code):
    if "at" in change:
        change = {"at": time.time() + change["at"]}
    answer = push(client, peer.secret, ticket(), **change)
    assert answer.status_code == 401
    assert answer.json()["code"] == code
    assert not Case.objects.exists()


def test_a_bad_signature_is_refused_and_audited(tree, peer, client):
    answer = push(client, "not-the-secret", ticket())
    assert answer.status_code == 401 and answer.json()["code"] == "bad_signature"
    body = json.dumps(ticket()).encode()
    headers = signed_headers(peer.secret, body)
    tampered = body.replace(b"0101", b"0102")
    answer = client.post(URL, data=tampered, content_type="application/json", **headers)
    assert answer.json()["code"] == "bad_signature"
    missing = client.post(URL, data=body, content_type="application/json")
    assert missing.status_code == 401 and missing.json()["code"] == "unsigned"
    assert not Case.objects.exists()
    assert AuditEvent.objects.filter(outcome="denied", detail__refused="bad_signature").count() == 2


def test_a_replayed_request_is_refused(tree, peer, client):
    body = json.dumps(ticket()).encode()
    headers = signed_headers(peer.secret, body)
    assert client.post(URL, data=body, content_type="application/json", **headers).status_code == 201
    replay = client.post(URL, data=body, content_type="application/json", **headers)
    assert replay.status_code == 401 and replay.json()["code"] == "replayed"


def test_a_paused_platform_and_a_new_secret(tree, peer, client):
    from tongxin.exchange.services import peer_rotate_secret

    new = peer_rotate_secret(actor=SYSTEM, peer=peer)
    assert push(client, peer.secret, ticket()).json()["code"] == "bad_signature"
    assert push(client, new, ticket()).status_code == 201
    peer_update(actor=SYSTEM, peer=peer, active=False)
    assert push(client, new, ticket("T-3")).json()["code"] == "unsigned"


def test_outside_the_platforms_area_and_bad_input(tree, client):
    _street_peer, secret = peer_create(
        actor=SYSTEM, name="平江街道热线", code="pingjiang", region=tree.street_b
    )
    answer = push(client, secret, ticket(), peer="pingjiang")
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    answer = push(
        client, secret, ticket(community=tree.community_a1.code, lng=None, lat=None), peer="pingjiang"
    )
    assert answer.status_code == 400
    answer = push(client, secret, {"ticket_number": "X"}, peer="pingjiang")
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "description"
    answer = push(client, secret, ticket(deadline="tomorrow"), peer="pingjiang")
    assert answer.status_code == 422
    assert not Case.objects.exists()


def test_the_endpoint_is_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["post"]
    assert {p["name"] for p in operation["parameters"]} >= {"X-Tongxin-Signature", "X-Tongxin-Timestamp"}
    assert "ticket_number" in json.dumps(operation["requestBody"])


# --- back to the platform ------------------------------------------------------------------------


def _walk(case, cast):
    """Accept, dispatch, respond, resolve, verify, rate: six messages for the platform."""
    case = case_transition(case=case, action="accept", actor=cast.secretary)
    case = case_transition(case=case, action="dispatch", actor=cast.secretary, to_user=cast.handler)
    case = case_transition(case=case, action="respond", actor=cast.handler)
    case = case_transition(case=case, action="resolve", actor=cast.handler, reason="已联系环卫清运完毕")
    case = case_transition(case=case, action="verify_pass", actor=cast.grid_worker)
    return case_transition(case=case, action="rate", actor=RESIDENT, rating="satisfied", comment="很及时")


def test_a_platform_down_then_back_loses_nothing_doubles_nothing_keeps_order(tree, peer):
    cast = build_cast(tree)
    fake = FakeHotline(peer.secret, port=free_port())  # not started: the platform is down
    peer_update(actor=SYSTEM, peer=peer, callback_url=f"{fake.base}/callback")
    first, _new = ticket_receive(peer=peer, data=ticket("A-1"))
    second, _new = ticket_receive(peer=peer, data=ticket("A-2"))
    _walk(first.case, cast)
    collect()
    case_transition(case=second.case, action="accept", actor=cast.secretary)
    collect()
    collect()  # collecting again makes nothing new
    assert HotlineEvent.objects.count() == 7
    assert hotline_send_all() == 0  # down: each ticket's first message failed, the rest wait
    attempted = HotlineEvent.objects.filter(attempts__gt=0)
    assert sorted(e.ticket.number for e in attempted) == ["A-1", "A-2"]
    assert all(e.status == SendStatus.QUEUED and e.answer for e in attempted)

    fake.start()
    try:
        fake.failing = True  # up, but answering 503: still not acknowledged
        HotlineEvent.objects.update(next_attempt_at=HotlineEvent.objects.first().created_at)
        assert hotline_send_all() == 0
        fake.failing = False
        HotlineEvent.objects.update(next_attempt_at=HotlineEvent.objects.first().created_at)
        assert hotline_send_all() == 7
        assert hotline_send_all() == 0
    finally:
        fake.stop()
    assert fake.refused == []
    ids = [m["event_id"] for m in fake.received]
    assert len(ids) == len(set(ids)) == 7  # nothing lost, nothing twice
    a1 = [m for m in fake.received if m["ticket_number"] == "A-1"]
    assert [m["action"] for m in a1] == ["accept", "dispatch", "respond", "resolve", "verify_pass", "rate"]
    assert [m["type"] for m in a1][-3:] == ["result", "status", "rating"]
    assert a1[3]["result"] == "已联系环卫清运完毕"
    assert a1[5]["rating"] == "satisfied" and a1[5]["comment"] == "很及时"
    assert all(e.status == SendStatus.SENT and e.answer_status == 200 for e in HotlineEvent.objects.all())


def test_a_later_message_waits_for_an_earlier_one(tree, peer):
    cast = build_cast(tree)
    fake = FakeHotline(peer.secret).start()
    try:
        peer_update(actor=SYSTEM, peer=peer, callback_url=f"{fake.base}/cb")
        made, _new = ticket_receive(peer=peer, data=ticket("B-1"))
        case = case_transition(case=made.case, action="accept", actor=cast.secretary)
        case_transition(case=case, action="dispatch", actor=cast.secretary, to_user=cast.handler)
        collect()
        first, _later = HotlineEvent.objects.order_by("id")
        # the first is waiting for its next try: the later one is not sent before it
        HotlineEvent.objects.filter(pk=first.pk).update(
            attempts=1, next_attempt_at=first.created_at.replace(year=2100)
        )
        assert hotline_send_all() == 0
        HotlineEvent.objects.filter(pk=first.pk).update(next_attempt_at=first.created_at)
        assert hotline_send_all() == 2
        assert [m["action"] for m in fake.received] == ["accept", "dispatch"]
    finally:
        fake.stop()


def test_a_case_without_a_ticket_tells_no_platform(tree, peer):
    from tongxin.cases.testing import report_case

    cast = build_cast(tree)
    case = report_case(tree)
    case_transition(case=case, action="accept", actor=cast.secretary)
    collect()
    assert not HotlineEvent.objects.exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED
