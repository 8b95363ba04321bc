"""The resident's pages: report without an account, follow it, rate it; nothing personal leaks."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongxin.cases import public_views
from tongxin.cases.models import Case, CasePhoto, CaseStatus, CaseTransition, Rating
from tongxin.cases.services import case_intake, case_transition, rating_token_hash
from tongxin.cases.testing import category, report_case
from tongxin.cases.tests.pages import (
    IN_GRID_11,
    IN_GRID_12,
    NOWHERE,
    fresh_cache,
    make_cast,
    move,
    tiny_png,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return make_cast(tree)


@pytest.fixture
def client():
    """An anonymous resident whose browser asks for English (the texts asserted below)."""
    resident = Client()
    resident.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return resident


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield from fresh_cache()


REPORT = "/report/"


def report_data(**overrides):
    data = {
        "category": str(category("0101").pk),
        "kind": "complaint",
        "description": "小区东门垃圾桶满了三天没人清运",
        "lng": str(IN_GRID_11[0]),
        "lat": str(IN_GRID_11[1]),
        "community": "",
        "address": "东门",
        "reporter_phone": "13900001111",
        "leave_empty": "",
    }
    data.update(overrides)
    return data


def track_url(case, token):
    return reverse("cases_public:track", args=[case.tracking_code, token])


def intake(tree, **kw):
    kw.setdefault("source", "resident")
    kw.setdefault("kind", "complaint")
    kw.setdefault("category", category("0101"))
    kw.setdefault("description", "楼下垃圾三天没人清运")
    kw.setdefault("reporter_phone", "13812341234")
    kw.setdefault("lng", IN_GRID_11[0])
    kw.setdefault("lat", IN_GRID_11[1])
    return case_intake(**kw)


# --- the report form ----------------------------------------------------------------------------------


def test_report_page_is_open_to_anyone(client, tree):
    response = client.get(REPORT)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<optgroup" in body and "垃圾清运" in body  # the two-level category select
    assert 'name="leave_empty"' in body  # the honeypot
    assert "滚绣坊社区" in body  # communities to choose from
    assert 'id="pin-map"' in body


def test_report_with_a_pin_is_located_to_its_grid(client, tree):
    response = client.post(REPORT, report_data())
    case = Case.objects.get()
    assert response.status_code == 302
    token = re.match(r"^/track/[^/]+/([^/]+)/\?new=1$", response["Location"]).group(1)
    assert response["Location"].startswith(track_url(case, token))
    assert case.rating_token_hash == rating_token_hash(token) and token not in case.rating_token_hash
    assert (case.source, case.grid, case.community) == ("resident", tree.grids["1.1"], tree.community_a1)
    assert case.reporter_phone_encrypted and "13900001111" not in case.reporter_phone_encrypted
    assert case.reveal_reporter_phone() == "13900001111"
    page = client.get(response["Location"])
    assert case.tracking_code in page.content.decode() and "Thank you" in page.content.decode()


def test_report_by_community_without_a_pin(client, tree):
    response = client.post(REPORT, report_data(lng="", lat="", community=str(tree.community_a2.pk)))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.grid, case.community, case.lng) == (None, tree.community_a2, None)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"description": ""}, "description"),
        ({"description": "脏"}, "description"),  # the service wants a few words
        ({"category": "999999"}, "category"),
        ({"reporter_phone": "12345"}, "reporter_phone"),
        ({"lng": str(NOWHERE[0]), "lat": str(NOWHERE[1])}, "community"),  # no grid there, no community
        ({"lng": "", "lat": ""}, "community"),  # neither a pin nor a community
        ({"kind": "patrol"}, "kind"),  # residents do not patrol
        ({"community": "987654"}, "community"),
    ],
)
def test_report_bad_input_writes_nothing(client, tree, overrides, field):
    response = client.post(REPORT, report_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Case.objects.exists() and not CaseTransition.objects.exists()


def test_report_first_level_category_is_refused(client, tree):
    response = client.post(REPORT, report_data(category=str(category("01").pk)))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_honeypot_catches_bots(client, tree):
    response = client.post(REPORT, report_data(leave_empty="http://spam.example"))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_rate_limit_per_address(client, tree, monkeypatch):
    monkeypatch.setattr(public_views, "REPORT_LIMIT_PER_HOUR", 2)
    assert client.post(REPORT, report_data()).status_code == 302
    assert client.post(REPORT, report_data()).status_code == 302
    response = client.post(REPORT, report_data())
    assert response.status_code == 429
    assert Case.objects.count() == 2
    # another address is not affected
    assert client.post(REPORT, report_data(), REMOTE_ADDR="10.0.0.9").status_code == 302


def test_report_wrong_method(client, tree):
    assert client.put(REPORT).status_code == 405
    assert client.delete(REPORT).status_code == 405


def test_report_with_photos(client, tree, settings, tmp_path, cast):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("p.png", tiny_png(), content_type="image/png")
    response = client.post(REPORT, {**report_data(), "photos": [photo]})
    assert response.status_code == 302
    stored = CasePhoto.objects.get()
    assert stored.content_type == "image/png" and stored.stage == "report"
    url = reverse("cases:photo", args=[stored.case_id, stored.pk])
    assert client.get(url).status_code == 302  # not public: log in first
    assert cast.client("other").get(url).status_code == 404  # another street's official
    shown = cast.client("secretary").get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content).startswith(b"\x89PNG")


def test_report_refuses_what_is_not_a_photo(client, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("p.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post(REPORT, {**report_data(), "photos": [fake]})
    assert response.status_code == 400
    assert "photos" in response.context["form"].errors
    assert not Case.objects.exists() and not CasePhoto.objects.exists()


# --- helpers of the form: similar reports, grid outlines, locate ------------------------------------


def test_similar_reports_are_suggested_without_personal_data(client, tree):
    report_case(tree, reporter_phone="13800009999", description="三号楼垃圾满了，住户张三投诉")
    response = client.get(
        reverse("cases_public:similar"),
        {"category": category("0101").pk, "lng": IN_GRID_11[0], "lat": IN_GRID_11[1]},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "same problem" in body
    assert "张三" not in body and "9999" not in body  # neither the description nor the phone
    far = client.get(
        reverse("cases_public:similar"), {"category": category("0101").pk, "lng": 120.7, "lat": 31.4}
    )
    assert "same problem" not in far.content.decode()
    other_category = client.get(
        reverse("cases_public:similar"),
        {"category": category("0201").pk, "lng": IN_GRID_11[0], "lat": IN_GRID_11[1]},
    )
    assert "same problem" not in other_category.content.decode()


def test_area_outlines_are_grids_only(client, tree):
    data = client.get(reverse("cases_public:areas"), {"community": tree.community_a1.pk}).json()
    assert {f["properties"]["name"] for f in data["features"]} == {"滚绣坊社区第1网格", "滚绣坊社区第2网格"}
    assert set(data["features"][0]["properties"]) == {"id", "name", "code"}
    boxed = client.get(reverse("cases_public:areas"), {"bbox": "120.60,31.30,120.64,31.32"}).json()
    assert len(boxed["features"]) == 4
    whole_country = client.get(reverse("cases_public:areas"), {"bbox": "70,10,140,50"}).json()
    assert whole_country["features"] == []
    assert client.get(reverse("cases_public:areas"), {"bbox": "a,b,c,d"}).json()["features"] == []


def test_locate_names_the_grid(client, tree):
    found = client.get(reverse("cases_public:locate"), {"lng": IN_GRID_12[0], "lat": IN_GRID_12[1]}).json()
    assert found["grid"]["name"] == "滚绣坊社区第2网格" and found["community"]["id"] == tree.community_a1.pk
    nowhere = client.get(reverse("cases_public:locate"), {"lng": NOWHERE[0], "lat": NOWHERE[1]}).json()
    assert nowhere == {"grid": None, "community": None}
    assert client.get(reverse("cases_public:locate"), {"lng": "x"}).status_code == 400


# --- the tracking page ------------------------------------------------------------------------------


def test_tracking_page_shows_progress_but_nothing_personal(client, cast):
    case, token = intake(cast.tree, reporter_name="王秀英", reporter_phone="13811112222")
    cast.secretary.first_name = "书记名"
    cast.secretary.save()
    move(
        case,
        ("accept", cast.secretary, {"reason": "已联系王秀英"}),
        ("dispatch", cast.secretary, {"to_user": cast.staff, "reason": "请shegong处理"}),
        ("respond", cast.staff, {}),
        ("resolve", cast.staff, {"reason": "垃圾已清运"}),
    )
    response = client.get(track_url(case, token))
    body = response.content.decode()
    assert response.status_code == 200
    assert "垃圾已清运" in body  # the result is the resident's to see
    assert "assigned to a handler" in body and "accepted it" in body
    for secret in ("13811112222", "138****2222", "2222", "王秀英", "shuji", "shegong", "书记名", "请shegong"):
        assert secret not in body, secret
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("bad", ["token", "code"])
def test_wrong_token_or_code_is_404(client, tree, bad):
    case, token = intake(tree)
    code = case.tracking_code
    if bad == "token":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    else:
        code = "260101ZZZZZ"
    assert client.get(f"/track/{code}/{token}/").status_code == 404
    assert client.post(f"/track/{code}/{token}/", {"rating": "satisfied"}).status_code == 404


def test_rating_a_verified_case(client, cast):
    case, token = intake(cast.tree)
    move(
        case,
        ("accept", cast.secretary, {}),
        ("dispatch", cast.secretary, {"to_user": cast.staff}),
        ("respond", cast.staff, {}),
        ("resolve", cast.staff, {"reason": "已清运"}),
        ("verify_pass", cast.worker, {}),
    )
    case.refresh_from_db()
    page = client.get(track_url(case, token))
    assert 'name="rating"' in page.content.decode()
    response = client.post(
        track_url(case, token),
        {"expected_version": case.version, "rating": "satisfied", "solved": "yes", "comment": "很及时"},
    )
    assert response.status_code == 302 and "rated=yes" in response["Location"]
    case.refresh_from_db()
    assert (case.rating, case.status, case.rating_comment) == (
        Rating.SATISFIED,
        CaseStatus.VERIFIED,
        "很及时",
    )
    again = client.get(track_url(case, token)).content.decode()
    assert 'name="rating"' not in again  # one rating per result


def test_not_solved_reopens(client, cast):
    case, token = intake(cast.tree)
    move(
        case,
        ("accept", cast.secretary, {}),
        ("dispatch", cast.secretary, {"to_user": cast.staff}),
        ("respond", cast.staff, {}),
        ("resolve", cast.staff, {"reason": "已清运"}),
        ("verify_pass", cast.worker, {}),
    )
    case.refresh_from_db()
    response = client.post(
        track_url(case, token), {"expected_version": case.version, "rating": "unsatisfied", "solved": "no"}
    )
    assert "rated=reopened" in response["Location"]
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.reopened_count == 1


def test_rating_refusals_change_nothing(client, cast):
    case, token = intake(cast.tree)
    # not yet handled: no form, and a forged post is refused
    page = client.get(track_url(case, token))
    assert 'name="rating"' not in page.content.decode()
    forged = client.post(
        track_url(case, token), {"expected_version": 0, "rating": "satisfied", "solved": "yes"}
    )
    assert forged.status_code == 409
    move(
        case,
        ("accept", cast.secretary, {}),
        ("dispatch", cast.secretary, {"to_user": cast.staff}),
        ("respond", cast.staff, {}),
        ("resolve", cast.staff, {"reason": "已清运"}),
        ("verify_pass", cast.worker, {}),
    )
    case.refresh_from_db()
    before = CaseTransition.objects.filter(case=case).count()
    bad = client.post(
        track_url(case, token), {"expected_version": case.version, "rating": "great", "solved": "yes"}
    )
    assert bad.status_code == 400
    stale = client.post(
        track_url(case, token), {"expected_version": case.version - 1, "rating": "satisfied", "solved": "yes"}
    )
    assert stale.status_code == 409 and "changed while you were reading" in stale.content.decode()
    case.refresh_from_db()
    assert case.rating == "" and CaseTransition.objects.filter(case=case).count() == before
    assert client.put(track_url(case, token)).status_code == 405


def test_merged_case_shows_the_result_of_the_case_it_joined(client, cast):
    original = report_case(cast.tree)
    duplicate, token = intake(cast.tree)
    case_transition(case=duplicate.pk, action="merge", actor=cast.secretary, into=original)
    move(
        original,
        ("accept", cast.secretary, {}),
        ("dispatch", cast.secretary, {"to_user": cast.staff}),
        ("respond", cast.staff, {}),
        ("resolve", cast.staff, {"reason": "两处垃圾都已清运"}),
    )
    body = client.get(track_url(duplicate, token)).content.decode()
    assert "combined with another report" in body
    assert "两处垃圾都已清运" in body
    assert original.tracking_code not in body  # the other resident's code is theirs
