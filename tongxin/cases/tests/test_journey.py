"""The case journey of issue 11: accept and dispatch in one step, nobody's case stuck for want of a
verifier, the resident's tile picker, tracking page (expected date, result, copy, QR) and “find my
report”, the dispatch picker's words, the grid worker's tel: links and patrol grid."""

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongxin.cases import public_views
from tongxin.cases.models import Case, CasePhoto, CaseStatus, CaseTransition
from tongxin.cases.outbox import recipients
from tongxin.cases.selectors import (
    case_by_code_and_phone,
    case_by_tracking_link,
    cases_to_verify,
    verifier_missing,
)
from tongxin.cases.services import (
    allowed_actions_for,
    case_intake,
    case_tracking_link_token,
    case_transition,
    rating_token_hash,
    responder_create,
)
from tongxin.cases.testing import category, report_case
from tongxin.cases.tests.pages import (
    IN_COMMUNITY_A2,
    fresh_cache,
    login,
    make_cast,
    move,
    resolved,
    tiny_png,
)

pytestmark = pytest.mark.django_db

FIND = "/track/"


@pytest.fixture
def cast(tree):
    return make_cast(tree)


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield from fresh_cache()


@pytest.fixture
def resident():
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def reported_with_token(tree, phone="13812345678"):
    case, token = case_intake(
        source="resident",
        kind="complaint",
        category=category("0101"),
        description="楼下垃圾三天没人清运",
        lng=120.605,
        lat=31.31,
        reporter_phone=phone,
    )
    return case, token


# --- 受理并派单: one rule, one row ----------------------------------------------------------------


def test_accept_and_dispatch_is_one_transition(cast):
    case = report_case(cast.tree)
    assert "accept_dispatch" in allowed_actions_for(cast.secretary, case)
    case = case_transition(case=case, action="accept_dispatch", actor=cast.secretary, to_user=cast.staff)
    assert case.status == CaseStatus.DISPATCHED and case.assignee_user == cast.staff
    assert case.accepted_at == case.dispatched_at and case.handling_due is not None
    rows = list(CaseTransition.objects.filter(case=case).values_list("action", "from_status", "to_status"))
    assert rows[-1] == ("accept_dispatch", "reported", "dispatched") and len(rows) == 2
    assert (
        CaseTransition.objects.get(case=case, action="accept_dispatch").data["held_by_user"] == cast.staff.pk
    )
    # the handler takes it on as after a dispatch
    assert "respond" in allowed_actions_for(cast.staff, case)


def test_accept_and_dispatch_needs_one_target_and_the_community(cast):
    case = report_case(cast.tree)
    with pytest.raises(ValidationError):
        case_transition(case=case, action="accept_dispatch", actor=cast.secretary)
    with pytest.raises(PermissionDenied):
        case_transition(case=case, action="accept_dispatch", actor=cast.other, to_user=cast.staff)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == CaseStatus.REPORTED and fresh.accepted_at is None
    assert CaseTransition.objects.filter(case=case).count() == 1
    accepted = move(case, ("accept", cast.secretary, {}))
    assert "accept_dispatch" not in allowed_actions_for(cast.secretary, accepted)  # a new case only


def test_accept_and_dispatch_from_the_case_page(cast):
    case = report_case(cast.tree)
    client = cast.client("secretary")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="action-accept_dispatch"' in page
    # the picker says who each person is and groups teams by kind, by name only
    assert re.search(r"wangge · Grid worker[^<·]* · [^<]*1", page)
    url = reverse("cases:act", args=[case.pk, "accept_dispatch"])
    response = client.post(
        url, {"accept_dispatch-expected_version": case.version, "accept_dispatch-to": f"u{cast.staff.pk}"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DISPATCHED
    # another community's secretary neither sees nor acts on it
    other = cast.client("other")
    assert other.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert other.post(url, {"accept_dispatch-to": f"u{cast.staff.pk}"}).status_code == 404


def test_dispatch_picker_groups_teams_units_and_departments(cast):
    team = responder_create(name="应急队", kind="team", region=cast.tree.community_a1)
    unit = responder_create(name="苏州大学", kind="unit", region=cast.tree.street_a)
    case = move(report_case(cast.tree), ("accept", cast.secretary, {}))
    form = cast.client("secretary").get(reverse("cases:detail", args=[case.pk])).context["forms"]
    dispatch = next(f for f in form if f.action == "dispatch")
    groups = dict(dispatch.fields["to"].choices[1:])
    assert (f"r{team.pk}", "应急队") in groups["Team"]
    assert (f"r{unit.pk}", "苏州大学") in groups["Partner unit"]
    people = dict(groups["People"])
    assert re.fullmatch(
        rf"wangge · Grid worker[^·]* · {cast.tree.grids['1.1'].name}", people[f"u{cast.worker.pk}"]
    )
    assert re.fullmatch(r"李党员 · [^·]*Party member[^·]* · .*", people[f"u{cast.member.pk}"])


def test_accept_and_dispatch_through_the_api(cast):
    case = report_case(cast.tree)
    api = login(cast.secretary)
    url = f"/api/v1/cases/{case.pk}/actions/accept_dispatch"
    body = json.dumps({"to_user": cast.staff.pk, "expected_version": case.version})
    response = api.post(url, data=body, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "dispatched"
    other = login(cast.other).post(url, data=body, content_type="application/json")
    assert other.status_code == 404 and other.json()["code"]


# --- nobody's case waits for a verifier -----------------------------------------------------------------


def test_the_community_verifies_when_the_grid_has_no_verifier(cast):
    case = resolved(cast)
    assert not verifier_missing(case)
    assert "verify_pass" not in allowed_actions_for(cast.secretary, case)
    with pytest.raises(PermissionDenied):
        case_transition(case=case, action="verify_pass", actor=cast.secretary)
    cast.worker.is_active = False  # the grid's only verifier left
    cast.worker.save()
    case = Case.objects.get(pk=case.pk)
    assert verifier_missing(case)
    assert {"verify_pass", "verify_fail"} <= set(allowed_actions_for(cast.secretary, case))
    assert "verify_pass" not in allowed_actions_for(cast.neighbour, case)  # only its own community
    case = case_transition(case=case, action="verify_pass", actor=cast.secretary)
    assert case.status == CaseStatus.VERIFIED


def test_the_community_names_who_verifies(cast):
    case = resolved(cast)
    assert case not in cases_to_verify(cast.staff)
    with pytest.raises(ValidationError):
        case_transition(case=case, action="assign_verifier", actor=cast.secretary)
    with pytest.raises(PermissionDenied):
        case_transition(case=case, action="assign_verifier", actor=cast.neighbour, to_user=cast.staff)
    case = case_transition(case=case, action="assign_verifier", actor=cast.secretary, to_user=cast.staff)
    assert case.status == CaseStatus.RESOLVED and case.verifier == cast.staff
    assert CaseTransition.objects.filter(case=case, action="assign_verifier").count() == 1
    assert case in cases_to_verify(cast.staff)
    assert not verifier_missing(case)
    assert "verify_fail" in allowed_actions_for(cast.staff, case)
    case = case_transition(case=case, action="verify_fail", actor=cast.staff, reason="还有垃圾")
    assert case.status == CaseStatus.IN_PROGRESS


def test_assign_verifier_from_the_case_page(cast):
    case = resolved(cast)
    client = cast.client("secretary")
    response = client.post(
        reverse("cases:act", args=[case.pk, "assign_verifier"]),
        {"assign_verifier-expected_version": case.version, "assign_verifier-to_user": str(cast.staff.pk)},
    )
    assert response.status_code == 302 and Case.objects.get(pk=case.pk).verifier == cast.staff


def test_the_verify_buttons_say_what_follows(cast):
    resolved(cast)
    page = cast.client("worker").get(reverse("cases:mine")).content.decode()
    assert "Check passed: on to the follow-up call" in page and "Check failed: back to the handler" in page


# --- the grid worker ---------------------------------------------------------------------------------


def test_revealed_phone_is_a_tel_link(cast):
    case = move(report_case(cast.tree), ("accept", cast.secretary, {}))
    response = cast.client("secretary").post(reverse("cases:reveal", args=[case.pk]))
    assert 'href="tel:13812341234"' in response.content.decode()
    assert cast.client("other").post(reverse("cases:reveal", args=[case.pk])).status_code == 404


def test_patrol_preselects_the_workers_grid(cast):
    form = cast.client("worker").get(reverse("cases:patrol")).context["form"]
    assert form["grid"].value() == cast.tree.grids["1.1"].pk
    assert cast.client("secretary").get(reverse("cases:patrol")).context["form"]["grid"].value() is None


# --- find my report ------------------------------------------------------------------------------------


def test_code_and_last_four_digits_find_the_case(tree):
    case, _token = reported_with_token(tree)
    assert case_by_code_and_phone(case.tracking_code, "5678") == case
    assert case_by_code_and_phone(f" {case.tracking_code.lower()} ", "5678") == case
    assert case_by_code_and_phone(case.tracking_code, "1234") is None
    assert case_by_code_and_phone("NOSUCHCODE", "5678") is None
    silent, _ = reported_with_token(tree, phone="")
    assert case_by_code_and_phone(silent.tracking_code, "") is None
    assert case_by_code_and_phone(silent.tracking_code, "0000") is None


def test_the_link_found_is_the_resident_s_own(tree):
    case, token = reported_with_token(tree)
    assert case_tracking_link_token(case=case) == token
    legacy, old = reported_with_token(tree)
    Case.objects.filter(pk=legacy.pk).update(tracking_token_encrypted="")
    legacy.refresh_from_db()
    new = case_tracking_link_token(case=legacy)
    assert new != old and case_by_tracking_link(legacy.tracking_code, new) == legacy
    assert case_by_tracking_link(legacy.tracking_code, old) is None
    assert Case.objects.get(pk=legacy.pk).rating_token_hash == rating_token_hash(new)
    assert case_tracking_link_token(case=Case.objects.get(pk=legacy.pk)) == new  # kept from now on


def test_find_redirects_to_the_private_link(tree, resident):
    case, token = reported_with_token(tree)
    assert resident.get(FIND).status_code == 200
    response = resident.post(FIND, {"code": case.tracking_code.lower(), "digits": "5678"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases_public:track", args=[case.tracking_code, token])
    assert resident.get(response["Location"]).status_code == 200


def _answer(response):
    body = response.content.decode()
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)  # the only thing that may differ: the CSRF token
    return response.status_code, re.sub(r'value="[^"]*"', "", body)


def test_find_never_says_whether_a_code_exists(tree, resident):
    case, _token = reported_with_token(tree)
    silent, _ = reported_with_token(tree, phone="")
    wrong_digits = resident.post(FIND, {"code": case.tracking_code, "digits": "0000"})
    unknown_code = resident.post(FIND, {"code": "261207ZZZZZ", "digits": "0000"})
    no_phone = resident.post(FIND, {"code": silent.tracking_code, "digits": "0000"})
    assert wrong_digits.status_code == 200 and "No report matches" in wrong_digits.content.decode()
    assert _answer(wrong_digits) == _answer(unknown_code) == _answer(no_phone)
    assert case.tracking_code not in wrong_digits.content.decode().split("<form")[0]


def test_find_refuses_bad_input_clearly(resident):
    response = resident.post(FIND, {"code": "", "digits": "12a"})
    assert response.status_code == 400
    assert "Enter the last four digits" in response.content.decode()


def test_find_is_rate_limited_per_address(tree, resident, monkeypatch):
    monkeypatch.setattr(public_views, "FIND_LIMIT_PER_HOUR", 3)
    case, _token = reported_with_token(tree)
    for _ in range(3):
        assert resident.post(FIND, {"code": "X", "digits": "0000"}).status_code == 200
    limited = resident.post(FIND, {"code": case.tracking_code, "digits": "5678"})
    assert limited.status_code == 429 and "Too many tries" in limited.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(FIND, {"code": case.tracking_code, "digits": "5678"}).status_code == 302


def test_find_stops_guessing_one_code_from_many_addresses(tree):
    case, _token = reported_with_token(tree)
    for n in range(public_views.FIND_FAILURES_PER_CODE):
        Client(REMOTE_ADDR=f"10.0.1.{n}").post(FIND, {"code": case.tracking_code, "digits": f"{n:04d}"})
    late = Client(REMOTE_ADDR="10.0.2.1").post(FIND, {"code": case.tracking_code, "digits": "5678"})
    assert late.status_code == 200  # the right digits, but the code is locked for the day: same answer


def test_report_and_landing_link_to_find(resident):
    assert f'href="{FIND}"' in resident.get("/report/").content.decode()
    assert f'href="{FIND}"' in resident.get("/login/").content.decode()  # the public landing


# --- the resident's report page and tracking page -----------------------------------------------------------


def test_report_offers_category_tiles_without_codes(resident):
    page = resident.get("/report/").content.decode()
    picker = page[page.index("data-cat-picker") : page.index("</fieldset>", page.rindex("cat-group"))]
    assert 'type="radio" name="category"' in picker and "垃圾清运" in picker and "环境卫生" in picker
    assert "0101" not in picker and "<svg" in picker


def test_tracking_page_shows_the_expected_date_result_photo_copy_and_qr(cast, resident):
    case, token = reported_with_token(cast.tree)
    url = reverse("cases_public:track", args=[case.tracking_code, token])
    page = resident.get(url).content.decode()
    assert "<svg" in page and 'class="qr"' in page and "data-copy" in page and token in page
    assert "Within 24 working hours" in page  # before dispatch: the time limit
    case = move(case, ("accept_dispatch", cast.secretary, {"to_user": cast.staff}))
    page = resident.get(url).content.decode()
    assert 'id="expected-by"' in page and "Within" not in page
    case = move(case, ("respond", cast.staff, {}))
    photo = SimpleUploadedFile("r.png", tiny_png(), content_type="image/png")
    response = cast.client("staff").post(
        reverse("cases:act", args=[case.pk, "resolve"]),
        {"resolve-expected_version": case.version, "resolve-reason": "已清运完毕", "resolve-photos": photo},
    )
    assert response.status_code == 302
    page = resident.get(url).content.decode()
    assert "已清运完毕" in page and 'id="handled-on"' in page
    result_photo = CasePhoto.objects.get(case=case, stage=CasePhoto.Stage.RESULT)
    photo_url = reverse("cases_public:track_photo", args=[case.tracking_code, token, result_photo.pk])
    assert photo_url in page
    served = resident.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert resident.get(photo_url.replace(token, token[:-2] + "xx")).status_code == 404


def test_report_photos_are_not_served_on_the_tracking_link(cast, resident):
    case, token = reported_with_token(cast.tree)
    photo = CasePhoto.objects.create(
        case=case,
        stage=CasePhoto.Stage.REPORT,
        file=SimpleUploadedFile("a.png", tiny_png()),
        content_type="image/png",
        uploaded_at=case.reported_at,
    )
    move(
        case,
        ("accept_dispatch", cast.secretary, {"to_user": cast.staff}),
        ("respond", cast.staff, {}),
        ("resolve", cast.staff, {"reason": "已处理"}),
    )
    url = reverse("cases_public:track_photo", args=[case.tracking_code, token, photo.pk])
    assert resident.get(url).status_code == 404


# --- the case list keeps its filters in the address ------------------------------------------------


def test_list_filters_are_in_the_url(cast):
    report_case(cast.tree)
    report_case(cast.tree, at=IN_COMMUNITY_A2)
    client = cast.client("street")
    page = client.get("/cases/", {"status": "reported", "category": category("0101").pk}).content.decode()
    assert 'hx-push-url="true"' in page and 'method="get"' in page
    partial = client.get(
        "/cases/", {"status": "reported"}, headers={"HX-Request": "true", "HX-Target": "case-results"}
    )
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="case-results">') and "status=reported" in body


def test_the_named_verifier_is_told(cast):
    case = resolved(cast)
    case = case_transition(case=case, action="assign_verifier", actor=cast.secretary, to_user=cast.staff)
    row = CaseTransition.objects.get(case=case, action="assign_verifier")
    assert cast.staff in recipients(row) and cast.worker in recipients(row)


def test_assign_verifier_through_the_api(cast):
    case = resolved(cast)
    url = f"/api/v1/cases/{case.pk}/actions/assign_verifier"
    body = json.dumps({"to_user": cast.staff.pk})
    assert (
        "assign_verifier" in login(cast.secretary).get(f"/api/v1/cases/{case.pk}").json()["allowed_actions"]
    )
    response = login(cast.secretary).post(url, data=body, content_type="application/json")
    assert response.status_code == 200 and Case.objects.get(pk=case.pk).verifier == cast.staff
    assert login(cast.neighbour).post(url, data=body, content_type="application/json").status_code == 404
