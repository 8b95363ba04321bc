"""Client keys: issued by the security administrator inside their scope, hashed, shown once,
revocable, expiring, limited per hour, and every use in the audit trail."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tongxin.audit.models import Action, AuditEvent, Outcome
from tongxin.core.roles import Role
from tongxin.open311.keys import client_key_issue, client_key_revoke
from tongxin.open311.models import ClientKey
from tongxin.open311.tests.common import BASE, english, issue, post, security_admin
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_key_is_stored_hashed_and_shown_once(tree):
    key, secret = issue(tree)
    assert secret.startswith("o311_") and len(secret) > 40
    stored = ClientKey.objects.get(pk=key.pk)
    assert stored.key_hash == ClientKey.hash(secret) and secret not in str(stored.__dict__)
    assert stored.prefix == secret[:12]
    event = AuditEvent.objects.get(action=Action.CLIENT_KEY_ISSUED)
    assert event.target == f"open311_key:{key.pk}" and secret not in str(event.detail)


def test_the_page_shows_the_key_once_and_never_again(tree):
    admin = security_admin(tree)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/open311/keys/", {"client_name": "街道自助机", "region": tree.street_a.pk, "requests_per_hour": 100}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = ClientKey.objects.get()
    page = response.content.decode()
    secret = page.split('id="client-key-secret">')[1].split("<")[0]
    assert ClientKey.hash(secret) == key.key_hash
    again = client.get("/open311/keys/").content.decode()
    assert secret not in again and key.prefix in again and "街道自助机" in again


def test_only_the_security_administrator_and_only_inside_their_scope(tree):
    street_admin = make_user(Role.SECURITY_ADMIN, tree.street_b, username="anquan_b")
    with pytest.raises(PermissionDenied):
        client_key_issue(client_name="x", region=tree.street_a, issued_by=street_admin)
    key, _secret = issue(tree, tree.street_a)
    client = Client()
    client.force_login(street_admin)
    assert "市民随手拍" not in client.get("/open311/keys/").content.decode()
    assert client.post(f"/open311/keys/{key.pk}/revoke/").status_code == 404
    assert (
        client.post(
            "/open311/keys/", {"client_name": "x", "region": tree.street_a.pk, "requests_per_hour": 5}
        ).status_code
        == 404
    )
    secretary = Client()
    secretary.force_login(make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="shuji"))
    assert secretary.get("/open311/keys/").status_code == 403


def test_issue_refuses_bad_input(tree):
    admin = security_admin(tree)
    with pytest.raises(ValidationError) as raised:
        client_key_issue(
            client_name=" ",
            region=tree.grids["1.1"],
            issued_by=admin,
            requests_per_hour=0,
            expires_at=timezone.now() - timedelta(days=1),
        )
    assert set(raised.value.message_dict) == {"client_name", "region", "requests_per_hour", "expires_at"}


def test_a_revoked_key_is_refused_and_the_refusal_audited(tree):
    key, secret = issue(tree)
    admin = security_admin(tree, username="anquan2")
    client_key_revoke(key=key, revoked_by=admin)
    client_key_revoke(key=key, revoked_by=admin)  # again: nothing more written
    assert AuditEvent.objects.filter(action=Action.CLIENT_KEY_REVOKED).count() == 1
    response = post(english(), secret)
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403 and "revoked" in response.json()[0]["description"]
    refused = AuditEvent.objects.get(action=Action.CLIENT_KEY_USED)
    assert refused.outcome == Outcome.DENIED and refused.detail["refused"] == "revoked"


def test_an_expired_key_is_refused(tree):
    key, secret = issue(tree, expires_at=timezone.now() + timedelta(hours=1))
    ClientKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert post(english(), secret).status_code == 403
    assert AuditEvent.objects.get(action=Action.CLIENT_KEY_USED).detail["refused"] == "expired"


def test_every_use_is_in_the_audit_trail(tree):
    key, secret = issue(tree)
    client = english()
    assert post(client, secret).status_code == 201
    assert client.get(f"{BASE}requests.json", {"api_key": secret}).status_code == 200
    uses = list(AuditEvent.objects.filter(action=Action.CLIENT_KEY_USED).order_by("id"))
    assert [u.detail["operation"] for u in uses] == ["create_request", "get_requests"]
    assert all(u.outcome == Outcome.SUCCESS and u.region_id == tree.street_a.pk for u in uses)
    assert uses[0].actor_username == f"open311:{key.prefix}"
    assert ClientKey.objects.get(pk=key.pk).last_used_at is not None


def test_each_key_has_its_own_hourly_limit(tree):
    _key, secret = issue(tree, requests_per_hour=2)
    _other, other_secret = issue(tree, tree.street_b, requests_per_hour=2)
    client = english()
    for _ in range(2):
        assert client.get(f"{BASE}requests.json", {"api_key": secret}).status_code == 200
    limited = client.get(f"{BASE}requests.xml", {"api_key": secret})
    assert limited.status_code == 429
    assert b"<errors><error><code>429</code>" in limited.content
    assert client.get(f"{BASE}requests.json", {"api_key": other_secret}).status_code == 200
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED, detail__refused="rate_limited").count() == 1


def test_an_address_sending_wrong_keys_is_stopped_before_it_floods_the_trail(tree):
    client = english()
    for _ in range(40):
        assert post(client, "o311_wrong").status_code == 403
    assert AuditEvent.objects.filter(action=Action.CLIENT_KEY_USED).count() == 30
