"""The configuration pages: the security administrator keeps platforms, communities and streets
keep robots; each sees only their own area, and a secret is shown once."""

import pytest
from django.urls import reverse

from tongxin.audit.models import AuditEvent
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.exchange.models import HotlinePeer, Robot, RobotEvent, RobotVendor
from tongxin.exchange.services import peer_create, robot_create
from tongxin.exchange.tests.fakes import FakeDingTalk, FakeWeCom
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


@pytest.fixture
def people(tree):
    return {
        "anquan": make_user(Role.SECURITY_ADMIN, tree.county),
        "other_anquan": make_user(Role.SECURITY_ADMIN, tree.street_b),
        "shuji": make_user(Role.COMMUNITY_SECRETARY, tree.community_a1),
        "neighbour": make_user(Role.COMMUNITY_SECRETARY, tree.community_a2),
        "jiedao": make_user(Role.STREET_OFFICIAL, tree.street_a),
        "stranger": make_user(Role.STREET_OFFICIAL, tree.street_b),
        "staff": make_user(Role.COMMUNITY_STAFF, tree.community_a1),
    }


def test_the_security_administrator_adds_a_platform_and_sees_its_secret_once(tree, people):
    client = login(people["anquan"])
    assert client.get(reverse("exchange:peers")).status_code == 200
    page = client.post(
        reverse("exchange:peer_create"),
        {
            "name": "姑苏区12345热线",
            "code": "gusu-12345",
            "region": tree.county.pk,
            "callback_url": "https://rx.example.cn/cb",
        },
    )
    assert page.status_code == 200
    peer = HotlinePeer.objects.get()
    assert peer.reveal_secret() in page.content.decode()
    assert page.headers["Cache-Control"].startswith("max-age=0")
    detail = client.get(reverse("exchange:peer", args=[peer.pk])).content.decode()
    assert peer.reveal_secret() not in detail and "gusu-12345" in detail
    rotated = client.post(reverse("exchange:peer_rotate", args=[peer.pk]))
    peer.refresh_from_db()
    assert peer.reveal_secret() in rotated.content.decode()
    edit = client.post(
        reverse("exchange:peer_edit", args=[peer.pk]),
        {
            "name": "姑苏区12345热线",
            "region": tree.county.pk,
            "callback_url": "https://rx.example.cn/v2/cb",
            "active": "on",
        },
    )
    assert edit.status_code == 302
    actions = AuditEvent.objects.filter(target=f"hotlinepeer:{peer.pk}").values_list("action", flat=True)
    assert sorted(actions) == ["record_changed", "token_created", "token_revoked"]
    assert all(peer.reveal_secret() not in str(e.detail) for e in AuditEvent.objects.all())


def test_platforms_are_scoped(tree, people):
    peer, _secret = peer_create(actor=SYSTEM, name="姑苏区12345热线", code="gusu", region=tree.county)
    other = login(people["other_anquan"])
    assert "姑苏区12345热线" not in other.get(reverse("exchange:peers")).content.decode()
    for name in ("exchange:peer", "exchange:peer_edit"):
        assert other.get(reverse(name, args=[peer.pk])).status_code == 404
    assert other.post(reverse("exchange:peer_rotate", args=[peer.pk])).status_code == 404
    # a street's security administrator cannot configure the county's platform either
    page = other.post(reverse("exchange:peer_create"), {"name": "x", "code": "x", "region": tree.county.pk})
    assert page.status_code == 200 and not HotlinePeer.objects.filter(code="x").exists()
    for who in ("shuji", "jiedao", "staff"):
        assert login(people[who]).get(reverse("exchange:peers")).status_code in (403, 404)


def test_a_community_adds_a_robot_and_reads_its_log(tree, people):
    client = login(people["shuji"])
    page = client.post(
        reverse("exchange:robot_create"),
        {
            "region": tree.community_a1.pk,
            "name": "滚绣坊社区党建服务工作群",
            "vendor": RobotVendor.WECOM,
            "webhook": WECOM,
            "events": [RobotEvent.CASE_NEW, RobotEvent.WHISTLE],
        },
    )
    assert page.status_code == 302, page.content.decode()
    robot = Robot.objects.get()
    detail = client.get(reverse("exchange:robot", args=[robot.pk])).content.decode()
    assert "0ec2sifa5aaa" not in detail and "…5aaa" in detail
    assert client.get(reverse("exchange:log")).status_code == 200
    assert client.get(reverse("exchange:robot_edit", args=[robot.pk])).status_code == 200
    assert client.post(reverse("exchange:robot_revoke", args=[robot.pk])).status_code == 302
    robot.refresh_from_db()
    assert robot.revoked_at is not None


def test_a_dingtalk_robot_needs_its_secret(tree, people):
    client = login(people["jiedao"])
    data = {
        "region": tree.street_a.pk,
        "name": "双塔街道网格长群",
        "vendor": RobotVendor.DINGTALK,
        "webhook": "https://oapi.dingtalk.com/robot/send?access_token=" + FakeDingTalk.TOKEN,
        "events": [RobotEvent.OVERDUE],
    }
    assert client.post(reverse("exchange:robot_create"), data).status_code == 200
    assert (
        client.post(reverse("exchange:robot_create"), {**data, "secret": FakeDingTalk.SECRET}).status_code
        == 302
    )
    assert Robot.objects.get().reveal_secret() == FakeDingTalk.SECRET


def test_robots_are_scoped(tree, people):
    robot = robot_create(
        actor=SYSTEM,
        region=tree.community_a1,
        name="滚绣坊社区党建服务工作群",
        vendor=RobotVendor.WECOM,
        webhook=f"http://127.0.0.1:1/cgi-bin/webhook/send?key={FakeWeCom.KEY}",
        events=[RobotEvent.CASE_NEW],
    )
    for who in ("neighbour", "stranger"):
        client = login(people[who])
        assert "滚绣坊社区党建服务工作群" not in client.get(reverse("exchange:robots")).content.decode()
        for name in ("exchange:robot", "exchange:robot_edit"):
            assert client.get(reverse(name, args=[robot.pk])).status_code == 404
        assert client.post(reverse("exchange:robot_revoke", args=[robot.pk])).status_code == 404
    # the street sees its community's robot
    assert (
        "滚绣坊社区党建服务工作群" in login(people["jiedao"]).get(reverse("exchange:robots")).content.decode()
    )
    # a neighbour cannot add a robot to another community
    page = login(people["neighbour"]).post(
        reverse("exchange:robot_create"),
        {
            "region": tree.community_a1.pk,
            "name": "x",
            "vendor": "wecom",
            "webhook": WECOM,
            "events": ["case_new"],
        },
    )
    assert page.status_code == 200 and Robot.objects.count() == 1
    assert login(people["staff"]).get(reverse("exchange:robots")).status_code in (403, 404)
    assert login(people["anquan"]).get(reverse("exchange:robots")).status_code in (403, 404)
