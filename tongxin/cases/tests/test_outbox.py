"""The outbox: every transition tells the right people once; webhooks are signed, retried with
backoff, and never sent twice."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.utils import timezone

from tongxin.cases.models import CaseTransition, WhistleType
from tongxin.cases.services import RESIDENT, case_transition
from tongxin.cases.testing import report_case
from tongxin.cases.tests.cast import build_cast
from tongxin.notifications import outbox as the_outbox
from tongxin.notifications.models import Delivery, DeliveryStatus, Notification
from tongxin.notifications.outbox import outbox_mark_processed, outbox_process
from tongxin.notifications.services import deliveries_send, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return build_cast(tree)


def told(transition: CaseTransition) -> set[str]:
    keys = Notification.objects.filter(event_key=f"case-transition:{transition.pk}")
    return set(keys.values_list("user__username", flat=True))


def names(*users: Any) -> set[str]:
    return {u.username for u in users}


def test_each_transition_tells_the_right_people_once(tree, cast):
    case = report_case(tree)
    script = [
        (cast.secretary, "accept", {}),
        (cast.secretary, "dispatch", {"to_user": cast.handler}),
        (cast.handler, "decline", {"reason": "不归我管"}),
        (cast.secretary, "pool", {}),
        (cast.member, "take", {}),
        (cast.county, "supervise", {"reason": "请加快"}),
        (cast.member, "answer_supervision", {"reason": "今天处理"}),
        (
            cast.member,
            "whistle",
            {"reason": "需要民警", "whistle_type": WhistleType.objects.get(code="police")},
        ),
        (cast.officer, "report", {}),
        (cast.officer, "resolve", {"reason": "已处理"}),
        (cast.grid_worker, "verify_pass", {}),
        (RESIDENT, "rate", {"rating": "unsatisfied", "solved": False}),
    ]
    for actor, action, params in script:
        case = case_transition(case=case, action=action, actor=actor, **params)
    assert outbox_process() == len(script) + 1
    rows = {t.action: t for t in CaseTransition.objects.filter(case=case)}
    community = names(cast.secretary, cast.handler)  # cases.manage held at the community itself
    expected = {
        "intake": community,
        "accept": set(),
        "dispatch": names(cast.handler),
        "decline": names(cast.secretary),  # the handler who declined is not told of it
        "pool": names(cast.member),
        "take": community,
        "supervise": names(cast.member) | community,
        "answer_supervision": community | names(cast.county),
        "whistle": names(cast.officer),
        "report": community,
        "resolve": names(cast.grid_worker),
        "verify_pass": community,
        "rate": names(cast.officer) | community,  # "not solved" reopened it
    }
    assert {action: told(row) for action, row in rows.items()} == expected
    # outsiders are never told anything
    assert not Notification.objects.filter(user__in=[cast.outsider, cast.stranger, cast.nobody]).exists()
    before = Notification.objects.count()
    assert outbox_process() == 0
    CaseTransition.objects.update(processed_at=None)  # even a replayed outbox tells nobody twice
    outbox_process()
    assert Notification.objects.count() == before


def test_a_notifier_that_fails_half_way_leaves_the_transition_for_the_next_run(tree, cast, monkeypatch):
    case = report_case(tree)
    case_transition(case=case, action="accept", actor=cast.secretary)
    calls = {"n": 0}
    real = the_outbox.notify

    def flaky(**kwargs: Any) -> int:
        calls["n"] += 1
        real(**kwargs)  # the inbox rows are written, then the worker dies
        raise RuntimeError("worker killed")

    monkeypatch.setattr(the_outbox, "notify", flaky)
    with pytest.raises(RuntimeError):
        outbox_process()
    assert not Notification.objects.exists()  # rolled back with the claim
    assert CaseTransition.objects.filter(processed_at__isnull=True).count() == 2
    monkeypatch.setattr(the_outbox, "notify", real)
    assert outbox_process() == 2
    assert told(CaseTransition.objects.get(action="intake")) == names(cast.secretary, cast.handler)


def test_old_history_can_be_marked_without_telling_anyone(tree, cast):
    old = report_case(tree, now=timezone.now() - timedelta(days=30))
    new = report_case(tree)
    assert outbox_mark_processed(before=timezone.now() - timedelta(days=1)) == 1
    assert outbox_process() == 1
    assert not Notification.objects.filter(event_key__endswith=f":{old.transitions.get().pk}").exists()
    assert Notification.objects.filter(event_key=f"case-transition:{new.transitions.get().pk}").exists()


class Hook(BaseHTTPRequestHandler):
    """A webhook receiver on 127.0.0.1 that fails the first `fail` requests."""

    received: list[tuple[dict[str, str], bytes]] = []
    fail = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        if type(self).fail > 0:
            type(self).fail -= 1
            self.send_response(500)
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook(settings):
    Hook.received, Hook.fail = [], 0
    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TONGXIN_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
    settings.TONGXIN_WEBHOOK_SECRET = "s3cret"
    yield Hook
    server.shutdown()
    server.server_close()


def test_webhook_is_signed(tree, cast, hook):
    case = report_case(tree)
    outbox_process()
    assert deliveries_send() >= 1
    [(headers, body)] = hook.received
    assert headers["X-Tongxin-Signature"] == sign(body, "s3cret")
    assert headers["X-Tongxin-Signature"] != sign(body, "another secret")
    payload = json.loads(body)
    assert payload["case"] == case.tracking_code and payload["action"] == "intake"
    assert "13812341234" not in body.decode() and "reporter" not in payload


def test_failing_webhook_is_retried_with_backoff_and_sent_once(tree, cast, hook):
    hook.fail = 1
    report_case(tree)
    outbox_process()
    start = timezone.now()
    deliveries_send(now=start)
    webhook = Delivery.objects.get(channel=Delivery.Channel.WEBHOOK)
    assert webhook.status == DeliveryStatus.QUEUED and webhook.attempts == 1 and "500" in webhook.last_error
    assert webhook.next_attempt_at == start + timedelta(minutes=2)
    deliveries_send(now=start + timedelta(minutes=1))  # still waiting out the backoff
    assert len(hook.received) == 1
    deliveries_send(now=start + timedelta(minutes=3))
    webhook.refresh_from_db()
    assert webhook.status == DeliveryStatus.SENT and webhook.attempts == 2
    for minutes in (10, 60, 600):
        deliveries_send(now=start + timedelta(minutes=minutes))
        outbox_process()
    assert len(hook.received) == 2  # one failure, one success, nothing after
    assert hook.received[0][1] == hook.received[1][1]  # the retry is the same event
