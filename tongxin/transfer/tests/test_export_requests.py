"""Issue 12, item 5 (SECURITY.md rows 22, 24, 27): an export with full numbers is a request that a
second person approves (self-approval 403), with a size limit and an expiry; the file is deleted
when it expires; every step audited; another street sees 404, on the pages and in the API."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tongxin.accounts.services import token_create
from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.people.services import person_create
from tongxin.testing import make_user
from tongxin.transfer.models import ExportRequest, RequestStatus
from tongxin.transfer.requests import export_requests_expire

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


@pytest.fixture
def people(tree):
    return [
        person_create(name=f"居民{i}", region=tree.community_a1, phone=f"1381234567{i}") for i in range(3)
    ]


@pytest.fixture
def colleagues(tree, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return make_user(Role.STREET_OFFICIAL, tree.street_a), make_user(Role.STREET_OFFICIAL, tree.street_a)


def web(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api(user, method, path, body=None):
    _token, secret = token_create(user=user, name="t")
    extra = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    return getattr(Client(), method)(
        f"/api/v1/exports{path}", headers={"Authorization": f"Bearer {secret}"}, **extra
    )


def _ask(client, root, purpose="statistics", note=""):
    return client.post(reverse("transfer:request_new"), {"root": root.pk, "purpose": purpose, "note": note})


def test_a_bulk_reveal_is_a_request_not_a_file(tree, people, colleagues):
    requester, _approver = colleagues
    client = web(requester)
    response = client.post(
        reverse("transfer:export", args=["people"]), {"root": tree.street_a.pk, "reveal": "on"}
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("transfer:request_new"))
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()
    assert client.get(response["Location"]).status_code == 200
    # no purpose, no request
    assert _ask(client, tree.street_a, purpose="").status_code == 400
    assert _ask(client, tree.street_a, purpose="other").status_code == 400
    assert not ExportRequest.objects.exists()


def test_second_person_approves_then_the_requester_downloads_until_it_expires(tree, people, colleagues):
    requester, approver = colleagues
    mine, theirs = web(requester), web(approver)
    response = _ask(mine, tree.street_a, note="上报区民政局")
    export = ExportRequest.objects.get()
    assert response.status_code == 302 and export.status == RequestStatus.PENDING and export.rows == 3
    detail = reverse("transfer:request", args=[export.pk])
    decide = reverse("transfer:request_decide", args=[export.pk])
    download = reverse("transfer:request_download", args=[export.pk])
    # self-approval: 403, and recorded
    assert mine.post(decide, {"decision": "approve"}).status_code == 403
    assert AuditEvent.objects.filter(action=Action.EXPORT_APPROVED, outcome="denied").count() == 1
    assert mine.get(download).status_code == 404  # nothing to download yet
    assert "Awaiting approval" in mine.get(detail).content.decode()
    # the colleague sees it waiting and approves
    assert f"No. {export.pk}" in theirs.get(reverse("transfer:requests")).content.decode()
    assert theirs.post(decide, {"decision": "approve"}).status_code == 302
    export.refresh_from_db()
    assert export.status == RequestStatus.APPROVED and export.decided_by == approver
    assert theirs.get(download).status_code == 404  # the approver cannot download it
    file = mine.get(download)
    assert file.status_code == 200 and file["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(file.content)).worksheets[0].iter_rows(values_only=True))
    assert any("13812345670" in str(cell) for row in rows for cell in row)
    reveal = AuditEvent.objects.filter(action=Action.REVEAL).latest("id")
    assert (
        reveal.actor == requester and reveal.detail["purpose"] == "statistics" and reveal.detail["rows"] == 3
    )
    actions = list(
        AuditEvent.objects.filter(target=f"export-request:{export.pk}").values_list("action", flat=True)
    )
    assert {Action.EXPORT_REQUESTED, Action.EXPORT_APPROVED, Action.EXPORT_DOWNLOADED} <= set(actions)
    # expiry: the file is deleted and the download is gone
    from django.conf import settings

    stored = Path(settings.DATA_DIR) / "exports" / export.file_name
    assert stored.exists() and oct(stored.stat().st_mode & 0o777) == "0o600"
    assert export_requests_expire(now=timezone.now() + timedelta(hours=23)) == 0
    assert export_requests_expire(now=timezone.now() + timedelta(hours=25)) == 1
    assert not stored.exists()
    export.refresh_from_db()
    assert export.status == RequestStatus.EXPIRED and export.file_name == ""
    assert mine.get(download).status_code == 404
    assert AuditEvent.objects.filter(action=Action.EXPORT_EXPIRED).count() == 1


def test_refusal_needs_a_reason_and_the_size_limit_holds(tree, people, colleagues, settings):
    requester, approver = colleagues
    _ask(web(requester), tree.street_a)
    export = ExportRequest.objects.get()
    theirs = web(approver)
    decide = reverse("transfer:request_decide", args=[export.pk])
    theirs.post(decide, {"decision": "refuse"})
    export.refresh_from_db()
    assert export.status == RequestStatus.PENDING  # no reason, no refusal
    theirs.post(decide, {"decision": "refuse", "reason": "用途不明确"})
    export.refresh_from_db()
    assert export.status == RequestStatus.REFUSED and export.reason == "用途不明确"
    assert theirs.post(decide, {"decision": "approve"}).status_code == 302  # decided already: message
    export.refresh_from_db()
    assert export.status == RequestStatus.REFUSED
    settings.TONGXIN_EXPORT_MAX_ROWS = 2
    response = _ask(web(requester), tree.street_a)
    assert response.status_code == 400 and "more than one export may hold" in response.content.decode()


def test_another_street_sees_404_and_a_role_without_reveal_is_refused(tree, people, colleagues):
    requester, _approver = colleagues
    _ask(web(requester), tree.street_a)
    export = ExportRequest.objects.get()
    other = make_user(Role.STREET_OFFICIAL, tree.street_b)
    for name in ("transfer:request", "transfer:request_download"):
        assert web(other).get(reverse(name, args=[export.pk])).status_code == 404
    assert (
        web(other)
        .post(reverse("transfer:request_decide", args=[export.pk]), {"decision": "approve"})
        .status_code
        == 404
    )
    assert f"No. {export.pk}" not in web(other).get(reverse("transfer:requests")).content.decode()
    assert api(other, "get", f"/{export.pk}").status_code == 404
    assert api(other, "post", f"/{export.pk}/approve").status_code == 404
    assert api(other, "get", "").json()["count"] == 0
    # asking for a region outside one's area
    assert api(other, "post", "", {"root": tree.street_a.pk, "purpose": "contact"}).status_code == 404
    county = make_user(Role.COUNTY_ORG, tree.county)  # exports, but may not reveal
    assert web(county).get(reverse("transfer:request_new")).status_code == 403
    assert api(county, "post", "", {"root": tree.street_a.pk, "purpose": "contact"}).status_code == 403


def test_the_api_flow_with_self_approval_403(tree, people, colleagues):
    requester, approver = colleagues
    assert api(requester, "post", "", {"root": tree.street_a.pk}).status_code == 422  # no purpose
    created = api(requester, "post", "", {"root": tree.street_a.pk, "purpose": "case"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "pending" and created.json()["rows"] == 3
    denied = api(requester, "post", f"/{pk}/approve")
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert api(requester, "get", f"/{pk}/download").status_code == 404
    assert api(approver, "post", f"/{pk}/approve").json()["status"] == "approved"
    assert api(approver, "get", f"/{pk}/download").status_code == 404
    file = api(requester, "get", f"/{pk}/download")
    assert file.status_code == 200 and file["Content-Type"].startswith("application/vnd.openxml")
    assert api(approver, "get", "").json()["count"] == 1
    refused = api(requester, "post", "", {"root": tree.street_a.pk, "purpose": "case"}).json()["id"]
    assert api(approver, "post", f"/{refused}/refuse", {"reason": ""}).status_code == 400
    assert api(approver, "post", f"/{refused}/refuse", {"reason": "不需要全量"}).json()["status"] == "refused"
