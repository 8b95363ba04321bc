"""Group robots: each event a robot chose reaches its group once, in the vendor's own markdown and
signature, with a link back and no personal data; failures are retried and logged with the answer."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongxin.audit.models import AuditEvent
from tongxin.cases.models import WhistleType
from tongxin.cases.services import case_transition
from tongxin.cases.testing import report_case
from tongxin.cases.tests.cast import build_cast
from tongxin.core.actors import SYSTEM
from tongxin.exchange.feed import collect
from tongxin.exchange.models import RobotDelivery, RobotEvent, RobotVendor, SendStatus
from tongxin.exchange.sending import ROBOT_ATTEMPTS, robots_send
from tongxin.exchange.services import robot_create, robot_revoke, robot_update
from tongxin.exchange.signing import dingtalk_sign
from tongxin.exchange.tests.fakes import FakeDingTalk, FakeWeCom

pytestmark = pytest.mark.django_db


@pytest.fixture
def wecom():
    fake = FakeWeCom().start()
    yield fake
    fake.stop()


@pytest.fixture
def dingtalk():
    fake = FakeDingTalk().start()
    yield fake
    fake.stop()


def _robots(tree, wecom, dingtalk, events=(RobotEvent.CASE_NEW, RobotEvent.WHISTLE, RobotEvent.OVERDUE)):
    community = robot_create(
        actor=SYSTEM,
        region=tree.community_a1,
        name="滚绣坊社区党建服务工作群",
        vendor=RobotVendor.WECOM,
        webhook=wecom.webhook,
        events=list(events),
    )
    street = robot_create(
        actor=SYSTEM,
        region=tree.street_a,
        name="双塔街道网格长群",
        vendor=RobotVendor.DINGTALK,
        webhook=dingtalk.webhook,
        secret=FakeDingTalk.SECRET,
        events=list(events),
    )
    return community, street


def _send_due():
    return robots_send(now=timezone.now() + timedelta(days=1))


def test_a_new_case_reaches_both_groups_in_their_own_format(tree, wecom, dingtalk):
    _robots(tree, wecom, dingtalk)
    case = report_case(tree, reporter_name="张三", reporter_phone="13812345678", address="滚绣坊12号")
    assert collect() == 2
    assert collect() == 0  # once per event
    assert robots_send() == 2
    assert wecom.refused == dingtalk.refused == []
    [wx] = wecom.received
    [dd] = dingtalk.received
    content = wx["markdown"]["content"]
    assert wx["msgtype"] == "markdown"
    assert case.tracking_code in content and f"/cases/{case.pk}/" in content
    assert dd["markdown"]["title"] and case.tracking_code in dd["markdown"]["text"]
    for text in (content, dd["markdown"]["text"]):
        # no personal data: not the description, the address, the name or the phone
        for secret in ("张三", "13812345678", "5678", "滚绣坊12号", "垃圾三天"):
            assert secret not in text
    rows = RobotDelivery.objects.all()
    assert all(r.status == SendStatus.SENT and r.errcode == 0 and r.errmsg == "ok" for r in rows)


def test_only_the_robots_of_the_area_and_the_chosen_events(tree, wecom, dingtalk):
    _robots(tree, wecom, dingtalk, events=[RobotEvent.WHISTLE])
    report_case(tree)  # a new case: nobody chose it
    report_case(tree, at=(120.625, 31.31))  # community a2: only the street's robot would care
    assert collect() == 0
    robot_create(
        actor=SYSTEM,
        region=tree.community_b1,
        name="另一街道的群",
        vendor=RobotVendor.WECOM,
        webhook=wecom.webhook,
        events=[RobotEvent.CASE_NEW],
    )
    report_case(tree)
    assert collect() == 0  # the case is not in the other street's community


def test_whistle_and_overdue(tree, wecom, dingtalk):
    cast = build_cast(tree)
    _robots(tree, wecom, dingtalk)
    case = report_case(tree)
    case = case_transition(case=case, action="accept", actor=cast.secretary)
    case = case_transition(case=case, action="dispatch", actor=cast.secretary, to_user=cast.handler)
    case = case_transition(case=case, action="respond", actor=cast.handler)
    case = case_transition(case=case, action="supervise", actor=SYSTEM, reason="逾期", overdue=True)
    case = case_transition(
        case=case,
        action="whistle",
        actor=cast.handler,
        reason="需要派出所配合",
        whistle_type=WhistleType.objects.first(),
        to_responder=cast.police,
    )
    collect()
    events = sorted(RobotDelivery.objects.values_list("event", flat=True))
    assert events == sorted([RobotEvent.CASE_NEW, RobotEvent.OVERDUE, RobotEvent.WHISTLE] * 2)
    assert robots_send() == 6
    whistle = [m for m in dingtalk.received if "吹哨" in m["markdown"]["title"]]
    assert whistle and "双塔派出所" in whistle[0]["markdown"]["text"]
    overdue = [m for m in wecom.received if "督办" in m["markdown"]["content"]]
    assert overdue and '<font color="warning">' in overdue[0]["markdown"]["content"]


def test_a_refused_message_is_retried_then_given_up_with_the_answer(tree, wecom, dingtalk):
    _robots(tree, wecom, dingtalk, events=[RobotEvent.CASE_NEW])
    report_case(tree)
    collect()
    wecom.errcode = 45009
    assert robots_send() == 1  # DingTalk took it
    row = RobotDelivery.objects.get(robot__vendor=RobotVendor.WECOM)
    assert row.status == SendStatus.QUEUED and row.errcode == 45009 and "freq" in row.errmsg
    wecom.errcode = 0
    assert _send_due() == 1
    row.refresh_from_db()
    assert row.status == SendStatus.SENT and row.attempts == 2 and len(wecom.received) == 1
    # a group that never answers yes: given up after ROBOT_ATTEMPTS tries
    report_case(tree)
    collect()
    wecom.errcode = 45009
    for day in range(ROBOT_ATTEMPTS + 2):
        robots_send(now=timezone.now() + timedelta(days=2 + day))
    last = RobotDelivery.objects.filter(robot__vendor=RobotVendor.WECOM).order_by("-id").first()
    assert last.status == SendStatus.FAILED and last.attempts == ROBOT_ATTEMPTS


def test_a_robot_that_is_down_then_back(tree, wecom, dingtalk):
    _robots(tree, wecom, dingtalk, events=[RobotEvent.CASE_NEW])
    report_case(tree)
    collect()
    dingtalk.stop()
    assert robots_send() == 1
    row = RobotDelivery.objects.get(robot__vendor=RobotVendor.DINGTALK)
    assert row.status == SendStatus.QUEUED and row.errcode is None and row.errmsg
    dingtalk.start()
    assert _send_due() == 1
    assert len(dingtalk.received) == 1 and len(wecom.received) == 1


def test_dingtalk_signature_as_documented():
    # DingTalk's example: the sign is base64 of HMAC-SHA256 over "timestamp\nsecret", URL-encoded
    import base64
    import hashlib
    import hmac
    import urllib.parse

    secret, stamp = "SECxxxx", 1577262236757
    expected = urllib.parse.quote_plus(
        base64.b64encode(hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest())
    )
    assert dingtalk_sign(secret, stamp) == expected


def test_configuration_is_checked_scoped_audited_and_revocable(tree, wecom, dingtalk):
    cast = build_cast(tree)
    with pytest.raises(ValidationError) as bad:
        robot_create(
            actor=cast.secretary,
            region=tree.community_a1,
            name="群",
            vendor=RobotVendor.DINGTALK,
            webhook=dingtalk.webhook,
            secret="",
            events=[RobotEvent.CASE_NEW],
        )
    assert "secret" in bad.value.message_dict
    with pytest.raises(ValidationError):
        robot_create(
            actor=cast.secretary,
            region=tree.community_a1,
            name="群",
            vendor=RobotVendor.WECOM,
            webhook="https://example.com/hook",
            events=[RobotEvent.CASE_NEW],
        )
    with pytest.raises(PermissionDenied):
        robot_create(
            actor=cast.outsider,
            region=tree.community_a1,
            name="群",
            vendor=RobotVendor.WECOM,
            webhook=wecom.webhook,
            events=[RobotEvent.CASE_NEW],
        )
    robot = robot_create(
        actor=cast.secretary,
        region=tree.community_a1,
        name="滚绣坊社区党建服务工作群",
        vendor=RobotVendor.WECOM,
        webhook=wecom.webhook,
        events=[RobotEvent.CASE_NEW],
    )
    assert FakeWeCom.KEY not in robot.webhook_encrypted and robot.reveal_webhook() == wecom.webhook
    robot_update(actor=cast.secretary, robot=robot, events=[RobotEvent.CASE_NEW, RobotEvent.MEETING_CALLED])
    robot_revoke(actor=cast.secretary, robot=robot)
    robot.refresh_from_db()
    assert robot.webhook_encrypted == "" and not robot.sends
    actions = list(AuditEvent.objects.filter(target=f"robot:{robot.pk}").values_list("action", flat=True))
    assert sorted(actions) == ["record_changed", "token_created", "token_revoked"]
    assert all(FakeWeCom.KEY not in str(e.detail) for e in AuditEvent.objects.all())
    report_case(tree)
    assert collect() == 0  # a revoked robot hears nothing
