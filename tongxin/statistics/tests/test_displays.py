"""Display links (大屏只读链接): only the security administrator issues and revokes them, inside
their scope; the token is shown once and only its hash is kept; both are audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.statistics.display_selectors import token_hash
from tongxin.statistics.display_services import display_link_issue, display_link_revoke, display_link_seen
from tongxin.statistics.models import DisplayLink
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db
URL = "/statistics/displays/"


@pytest.fixture
def anquan(tree):
    return make_user(Role.SECURITY_ADMIN, tree.county, username="anquan")


def _issue(client, region, label="党群服务中心大厅"):
    return client.post(URL, {"label": label, "region": region.pk})


def test_the_security_administrator_issues_a_link_shown_once(client, tree, anquan):
    client.force_login(anquan)
    response = _issue(client, tree.community_a1)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    link = DisplayLink.objects.get()
    url = response.context["link_url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert url.endswith(reverse("screen:show", args=[token]))
    assert token in response.content.decode()
    assert link.token_hash == token_hash(token) and token not in link.token_hash
    assert (link.label, link.region, link.created_by) == ("党群服务中心大厅", tree.community_a1, anquan)
    # the list shows it again, without the token
    page = client.get(URL).content.decode()
    assert "党群服务中心大厅" in page and token not in page


def test_issuing_and_revoking_are_audited_once(client, tree, anquan):
    client.force_login(anquan)
    _issue(client, tree.community_a1)
    link = DisplayLink.objects.get()
    issued = AuditEvent.objects.get(action=Action.DISPLAY_LINK_ISSUED)
    assert (issued.actor, issued.target, issued.region_path) == (
        anquan,
        f"display:{link.pk}",
        tree.community_a1.path,
    )

    response = client.post(reverse("statistics:display_revoke", args=[link.pk]))
    assert response.status_code == 302 and response["Location"] == URL
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == anquan
    # revoking again changes nothing and writes nothing
    client.post(reverse("statistics:display_revoke", args=[link.pk]))
    revoked = AuditEvent.objects.filter(action=Action.DISPLAY_LINK_REVOKED)
    assert revoked.count() == 1 and revoked.get().target == f"display:{link.pk}"
    assert "Revoked" in client.get(URL).content.decode()


def test_revoking_needs_a_post(client, tree, anquan):
    link, _token = display_link_issue(region=tree.street_a, label="街道指挥中心", issued_by=anquan)
    client.force_login(anquan)
    assert client.get(reverse("statistics:display_revoke", args=[link.pk])).status_code == 405
    link.refresh_from_db()
    assert link.active


@pytest.mark.parametrize(
    "role", [Role.STREET_OFFICIAL, Role.SYSTEM_ADMIN, Role.AUDITOR, Role.COMMUNITY_SECRETARY]
)
def test_others_cannot_issue_or_revoke(client, tree, anquan, role):
    link, _token = display_link_issue(region=tree.street_a, label="街道指挥中心", issued_by=anquan)
    client.force_login(make_user(role, tree.county))
    assert client.get(URL).status_code == 403
    assert _issue(client, tree.street_a).status_code == 403
    assert client.post(reverse("statistics:display_revoke", args=[link.pk])).status_code == 403
    assert DisplayLink.objects.count() == 1 and DisplayLink.objects.get().active


def test_anonymous_callers_are_sent_to_log_in(client, tree, anquan):
    link, _token = display_link_issue(region=tree.street_a, label="街道指挥中心", issued_by=anquan)
    for response in (client.get(URL), _issue(client, tree.street_a), client.post(f"{URL}{link.pk}/revoke/")):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert DisplayLink.objects.count() == 1


def test_a_security_administrator_stays_inside_their_scope(client, tree, anquan):
    theirs, _token = display_link_issue(region=tree.street_b, label="平江街道", issued_by=anquan)
    local = make_user(Role.SECURITY_ADMIN, tree.street_a)
    client.force_login(local)
    assert _issue(client, tree.community_b1).status_code == 404
    assert client.post(reverse("statistics:display_revoke", args=[theirs.pk])).status_code == 404
    assert "平江街道" not in client.get(URL).content.decode()
    with pytest.raises(PermissionDenied):
        display_link_issue(region=tree.street_b, label="越权", issued_by=local)
    with pytest.raises(PermissionDenied):
        display_link_revoke(link=theirs, revoked_by=local)
    assert DisplayLink.objects.count() == 1 and DisplayLink.objects.get().active


def test_a_label_is_required_and_a_building_has_no_screen(client, tree, anquan):
    client.force_login(anquan)
    assert _issue(client, tree.community_a1, label="  ").status_code == 400
    assert tree.building is not None
    assert _issue(client, tree.building).status_code == 400  # not among the choices
    assert not DisplayLink.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.DISPLAY_LINK_ISSUED).exists()


def test_last_seen_is_written_at_most_once_a_minute(tree, anquan):
    link, _token = display_link_issue(region=tree.street_a, label="街道指挥中心", issued_by=anquan)
    now = timezone.now()
    assert display_link_seen(link=link, now=now)
    assert not display_link_seen(link=link, now=now + timedelta(seconds=30))
    assert display_link_seen(link=link, now=now + timedelta(seconds=61))
    link.refresh_from_db()
    assert link.last_seen_at == now + timedelta(seconds=61)
    display_link_revoke(link=link, revoked_by=anquan)
    assert not display_link_seen(link=link, now=now + timedelta(minutes=5))
