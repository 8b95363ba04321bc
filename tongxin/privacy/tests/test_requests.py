"""Row 26: subject-rights requests — access/copy, correction, deletion, refusal with a reason, a due
date — through the services, the pages and the API, each in the official's scope."""

import json
from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tongxin.audit.models import Action, AuditEvent
from tongxin.cases.config_services import calendar_day_save
from tongxin.cases.models import CalendarDay, Case
from tongxin.cases.testing import report_case
from tongxin.core.actors import RESIDENT
from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.core.workflow import IllegalTransition
from tongxin.lib.workclock import Calendar, add_working_days
from tongxin.privacy.models import RequestKind, RequestStatus, RequestTransition, SubjectRequest
from tongxin.privacy.services import request_create, request_due, request_transition
from tongxin.privacy.workflow import RULES
from tongxin.testing import make_person, make_user

pytestmark = pytest.mark.django_db

PHONE = "13812341234"  # report_case's default reporter


@pytest.fixture
def cast(tree):
    return {
        "secretary": make_user(Role.COMMUNITY_SECRETARY, tree.community_a1),
        "street": make_user(Role.STREET_OFFICIAL, tree.street_a),
        "other_street": make_user(Role.STREET_OFFICIAL, tree.street_b),
        "security": make_user(Role.SECURITY_ADMIN, tree.city),
        "staff": make_user(Role.COMMUNITY_STAFF, tree.community_a1),
    }


def _file(tree, actor, kind=RequestKind.ACCESS, **kw):
    kw.setdefault("phone", PHONE)
    return request_create(actor=actor, kind=kind, region=tree.community_a1, **kw)


def test_the_due_date_is_fifteen_working_days_on_the_calendar():
    assert request_due(date(2026, 3, 2)) == date(2026, 3, 23)  # Monday: three weeks later
    assert request_due(date(2026, 3, 2)) == add_working_days(date(2026, 3, 3), 15, Calendar())
    # a holiday in the case calendar moves it a day later
    calendar_day_save(day=date(2026, 3, 10), kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    assert request_due(date(2026, 3, 2)) == date(2026, 3, 24)


def test_the_due_date_is_configurable(settings):
    settings.TONGXIN_PRIVACY_DUE_WORKING_DAYS = 5
    assert request_due(date(2026, 3, 2)) == date(2026, 3, 9)


def test_a_resident_files_one_and_the_phone_is_stored_like_other_phones(tree):
    filed = _file(tree, RESIDENT, requester_name="王阿姨")
    assert filed.status == RequestStatus.RECEIVED and filed.channel == "online"
    assert PHONE not in filed.phone_encrypted and filed.phone_hash and filed.reveal_phone() == PHONE
    assert filed.reference.startswith("QL")
    assert list(filed.transitions.values_list("action", "to_status")) == [("receive", "received")]


def test_an_official_files_only_in_their_scope(tree, cast):
    with pytest.raises(PermissionDenied):
        _file(tree, cast["other_street"])
    with pytest.raises(PermissionDenied):
        _file(tree, cast["staff"])  # community staff do not handle requests
    with pytest.raises(ValidationError):
        request_create(actor=cast["secretary"], kind=RequestKind.ACCESS, region=tree.community_a1)


@pytest.mark.parametrize(
    ("action", "sources", "target", "needs_reason"),
    [
        ("start", {"received"}, "in_progress", False),
        ("complete", {"received", "in_progress"}, "completed", True),
        ("refuse", {"received", "in_progress"}, "refused", True),
    ],
)
def test_the_rule_table(action, sources, target, needs_reason):
    rule = RULES[action]
    assert set(rule.sources) == sources and rule.target == target and rule.needs_reason == needs_reason


def test_each_change_writes_one_transition_row_and_a_refusal_needs_its_reason(tree, cast):
    filed = _file(tree, RESIDENT)
    filed = request_transition(request=filed, action="start", actor=cast["secretary"], version=0)
    assert filed.status == "in_progress" and filed.handler == cast["secretary"]
    with pytest.raises(ValidationError):
        request_transition(request=filed, action="refuse", actor=cast["secretary"], reason=" ")
    filed = request_transition(request=filed, action="refuse", actor=cast["secretary"], reason="无法核实身份")
    assert filed.status == "refused" and filed.response == "无法核实身份" and filed.answered_at
    assert RequestTransition.objects.filter(request=filed).count() == 3
    with pytest.raises(IllegalTransition):
        request_transition(request=filed, action="complete", actor=cast["secretary"], reason="x")


def test_a_stale_version_or_another_street_is_refused(tree, cast):
    filed = _file(tree, RESIDENT)
    with pytest.raises(ValidationError):
        request_transition(request=filed, action="start", actor=cast["secretary"], version=5)
    with pytest.raises(PermissionDenied):
        request_transition(request=filed, action="start", actor=cast["other_street"])


def test_a_deletion_request_erases_through_the_retention_functions(tree, cast):
    case = report_case(tree)
    filed = _file(tree, RESIDENT, kind=RequestKind.DELETION)
    request_transition(request=filed, action="complete", actor=cast["secretary"], reason="已删除您的联系方式")
    case.refresh_from_db()
    assert (case.reporter_phone_encrypted, case.reporter_phone_hash) == ("", "")
    event = AuditEvent.objects.filter(action=Action.PI_ERASED).latest("id")
    assert event.detail == {"reason": "deletion_request", "people": 0, "case_reporters": 1}
    assert event.target == filed.reference
    assert filed.transitions.latest("id").data["case_reporters"] == 1


def test_a_deletion_request_for_a_person_erases_the_register_entry(tree, cast):
    person = make_person(tree.grids["1.1"], name="李四", phone="13700001111", address="1幢101")
    filed = request_create(
        actor=cast["street"], kind=RequestKind.DELETION, region=tree.community_a1, person=person
    )
    request_transition(request=filed, action="complete", actor=cast["street"], reason="已删除")
    person.refresh_from_db()
    assert person.name == "（已删除）" and person.phone_hash == "" and person.address == ""


def test_an_access_request_gives_a_copy_from_the_registry_and_is_audited(tree, cast):
    case = report_case(tree, reporter_name="王阿姨")
    filed = _file(tree, RESIDENT)
    response = login(cast["secretary"]).get(reverse("privacy:request_export", args=[filed.pk]))
    assert response.status_code == 200
    export = json.loads(response.content)
    records = export["sections"][0]["records"]
    assert records[0]["tracking code"] == case.tracking_code
    assert PHONE in json.dumps(export, ensure_ascii=False) and "王阿姨" in json.dumps(
        export, ensure_ascii=False
    )
    assert "hash" not in json.dumps(export)  # look-up hashes are not the person's data
    assert AuditEvent.objects.filter(action=Action.EXPORT, target=filed.reference).exists()


# --- pages -------------------------------------------------------------------------------------


def test_the_list_puts_overdue_first_and_the_detail_moves_it(tree, cast):
    late = _file(tree, RESIDENT)
    SubjectRequest.objects.filter(pk=late.pk).update(received_on=date(2025, 1, 2), due_on=date(2025, 1, 23))
    _file(tree, RESIDENT, kind=RequestKind.CORRECTION)
    client = login(cast["secretary"])
    body = client.get(reverse("privacy:requests")).content.decode()
    assert body.index(late.reference) < body.index("Correction")
    assert "overdue" in body
    detail = client.get(reverse("privacy:request", args=[late.pk]))
    assert detail.status_code == 200 and b"Refuse, giving the reason" in detail.content
    response = client.post(
        reverse("privacy:request_step", args=[late.pk]), {"action": "refuse", "reason": "", "version": 0}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("privacy:request_step", args=[late.pk]),
        {"action": "refuse", "reason": "不是本人", "version": 0},
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.status == "refused"


def test_the_new_request_page(tree, cast):
    client = login(cast["secretary"])
    assert client.get(reverse("privacy:request_create")).status_code == 200
    response = client.post(
        reverse("privacy:request_create"),
        {
            "kind": "explanation",
            "community": tree.community_a1.pk,
            "phone": PHONE,
            "received_on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    assert SubjectRequest.objects.get().due_on == date(2026, 3, 23)


def test_another_streets_official_sees_404(tree, cast):
    filed = _file(tree, RESIDENT)
    client = login(cast["other_street"])
    assert filed.reference not in client.get(reverse("privacy:requests")).content.decode()
    for name in ("privacy:request", "privacy:request_export"):
        assert client.get(reverse(name, args=[filed.pk])).status_code == 404
    assert (
        client.post(
            reverse("privacy:request_step", args=[filed.pk]), {"action": "start", "version": 0}
        ).status_code
        == 404
    )
    api = client.get(f"/api/v1/privacy/requests/{filed.pk}")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert client.get("/api/v1/privacy/requests").json()["count"] == 0
    moved = client.post(
        f"/api/v1/privacy/requests/{filed.pk}/transitions",
        {"action": "start"},
        content_type="application/json",
    )
    assert moved.status_code == 404


def test_the_security_administrator_sees_every_request(tree, cast):
    filed = _file(tree, RESIDENT)
    assert login(cast["security"]).get(reverse("privacy:request", args=[filed.pk])).status_code == 200


# --- the public form ---------------------------------------------------------------------------


def test_a_resident_files_on_the_public_form_and_gets_a_reference(tree, settings):
    cache.clear()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(reverse("privacy:public_request"))
    assert page.status_code == 200 and b'id="privacy-notice"' in page.content
    data = {"kind": "access", "community": tree.community_a1.pk, "phone": PHONE, "requester_name": "王阿姨"}
    response = client.post(reverse("privacy:public_request"), data)
    filed = SubjectRequest.objects.get()
    assert response.status_code == 200 and filed.reference.encode() in response.content
    assert client.post(reverse("privacy:public_request"), {**data, "phone": ""}).status_code == 400


def test_the_public_form_is_rate_limited(tree, settings):
    cache.clear()
    settings.TONGXIN_PRIVACY_REQUESTS_PER_HOUR = 2
    client = Client()
    data = {"kind": "access", "community": tree.community_a1.pk, "phone": PHONE}
    codes = [client.post(reverse("privacy:public_request"), data).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert SubjectRequest.objects.count() == 2


# --- the API -----------------------------------------------------------------------------------


def test_the_api_per_request_type(tree, cast):
    report_case(tree)
    client = login(cast["secretary"])
    for kind in RequestKind.values:
        created = client.post(
            "/api/v1/privacy/requests",
            {"kind": kind, "region": tree.community_a1.pk, "phone": PHONE},
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["status"] == "received" and body["phone_masked"] == "138****1234"
        assert PHONE not in created.content.decode()
        action = "refuse" if kind == "correction" else "complete"
        moved = client.post(
            f"/api/v1/privacy/requests/{body['id']}/transitions",
            {"action": action, "reason": "答复", "expected_version": 0},
            content_type="application/json",
        )
        assert moved.status_code == 200 and moved.json()["status"] in ("completed", "refused")
        again = client.post(
            f"/api/v1/privacy/requests/{body['id']}/transitions",
            {"action": "start"},
            content_type="application/json",
        )
        assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    listed = client.get("/api/v1/privacy/requests?kind=deletion").json()
    assert listed["count"] == 1
    assert Case.objects.get().reporter_phone_hash == ""  # the deletion request erased it
    bad = client.post(
        "/api/v1/privacy/requests",
        {"kind": "access", "region": tree.community_b1.pk, "phone": PHONE},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    stale = client.post(
        "/api/v1/privacy/requests",
        {"kind": "access", "region": tree.community_a1.pk, "phone": PHONE},
        content_type="application/json",
    ).json()
    conflict = client.post(
        f"/api/v1/privacy/requests/{stale['id']}/transitions",
        {"action": "start", "expected_version": 3},
        content_type="application/json",
    )
    assert conflict.status_code == 409 and conflict.json()["code"] == "conflict"


def test_the_api_refuses_those_without_the_right(tree, cast):
    response = login(cast["staff"]).get("/api/v1/privacy/requests")
    assert response.status_code == 403
