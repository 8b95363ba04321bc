"""The community's case pages: list, map, case page and every action form, scoped and refused right."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.audit.models import AuditEvent
from tongxin.cases.models import Case, CasePhoto, CaseStatus, CaseTransition, Supervision
from tongxin.cases.services import allowed_actions_for, case_transition, responder_create
from tongxin.cases.testing import category, report_case
from tongxin.cases.tests.pages import (
    IN_COMMUNITY_A2,
    IN_GRID_12,
    dispatched,
    fresh_cache,
    login,
    make_cast,
    move,
    resolved,
    tiny_png,
)
from tongxin.cases.views import available_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return make_cast(tree)


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield from fresh_cache()


LIST = "/cases/"


def act_url(case, action):
    return reverse("cases:act", args=[case.pk, action])


def codes(response):
    return {c.tracking_code for c in response.context["page"].object_list}


# --- the list -----------------------------------------------------------------------------------------


def test_list_needs_an_account_and_the_capability(client, cast):
    assert client.get(LIST).status_code == 302
    assert cast.client("member").get(LIST).status_code == 403  # a member holds no case role
    assert cast.client("admin").get(LIST).status_code == 403  # the system admin configures, never reads cases


def test_list_is_scoped_in_rows_counts_and_map(cast):
    mine = report_case(cast.tree)
    theirs = report_case(cast.tree, at=IN_COMMUNITY_A2)
    response = cast.client("secretary").get(LIST)
    assert response.status_code == 200
    assert codes(response) == {mine.tracking_code}
    assert response.context["total"] == (1, False)  # (count, whether it is only a lower bound)
    body = response.content.decode()
    assert theirs.tracking_code not in body
    points = cast.client("secretary").get(reverse("cases:map")).json()
    assert [p["code"] for p in points["cases"]] == [mine.tracking_code]
    assert {a["properties"]["name"] for a in points["areas"]} == {"滚绣坊社区第1网格"}
    # the street sees both; another street sees neither
    assert codes(cast.client("street").get(LIST)) == {mine.tracking_code, theirs.tracking_code}
    other = cast.client("other")
    assert codes(other.get(LIST)) == set() and other.get(LIST).context["total"] == (0, False)
    assert other.get(reverse("cases:map")).json()["cases"] == []


def test_list_filters(cast):
    now = timezone.now()
    old = report_case(cast.tree, now=now - timedelta(days=40), description="旧的垃圾问题很多")
    lamp = report_case(cast.tree, category=category("0403"), at=IN_GRID_12, description="路灯坏了三盏")
    late = dispatched(cast, description="垃圾站满溢很久了")
    Case.objects.filter(pk=late.pk).update(handling_due=now - timedelta(hours=1))
    hot = report_case(
        cast.tree, source="hotline", hotline_ticket="GS2026-0042", description="热线来电反映噪音"
    )
    case_transition(case=hot.pk, action="reject", actor=cast.secretary, reason="重复", why="invalid")
    supervised = dispatched(cast, description="需要督办的问题")
    case_transition(case=supervised.pk, action="supervise", actor=cast.street, reason="请加快")
    client = cast.client("secretary")

    def found(**query):
        response = client.get(LIST, query)
        assert response.status_code == 200
        return codes(response)

    everything = {c.tracking_code for c in (old, lamp, late, hot, supervised)}
    assert found() == everything
    assert found(status="open") == everything - {hot.tracking_code}
    assert found(status="rejected") == {hot.tracking_code}
    assert found(category=category("0403").pk) == {lamp.tracking_code}
    assert found(category=category("04").pk) == {lamp.tracking_code}  # a first-level category: all below
    assert found(node=cast.tree.grids["1.2"].pk) == {lamp.tracking_code}
    assert found(overdue="on") == {late.tracking_code}
    assert found(supervised="on") == {supervised.tracking_code}
    assert found(since=(now - timedelta(days=41)).date(), until=(now - timedelta(days=39)).date()) == {
        old.tracking_code
    }
    assert found(q=lamp.tracking_code) == {lamp.tracking_code}
    assert found(q="GS2026-0042") == {hot.tracking_code}
    assert found(q="路灯") == {lamp.tracking_code}
    # counts per status ignore the status filter but follow the others
    response = client.get(LIST, {"status": "rejected", "category": category("0403").pk})
    assert dict((v, n) for v, _label, n, _more in response.context["counts"])["reported"] == 1
    # a node outside the scope is not a filter: it is ignored, never widened
    assert found(node=cast.tree.community_b1.pk) == everything


def test_list_bad_filters_are_ignored_not_errors(cast):
    report_case(cast.tree)
    client = cast.client("secretary")
    for query in ({"status": "nonsense"}, {"since": "2026-13-45"}, {"category": "x"}, {"page": "999"}):
        assert client.get(LIST, query).status_code == 200
    response = client.get(LIST, {"since": "2026-05-01", "until": "2026-04-01"})
    assert response.status_code == 200 and "until" in response.context["form"].errors


def test_list_htmx_returns_the_results_only(cast):
    report_case(cast.tree)
    response = cast.client("secretary").get(LIST, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-results")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="case-results">') and "<html" not in body


def test_list_wrong_method(cast):
    assert cast.client("secretary").post(LIST).status_code == 405
    assert cast.client("secretary").post(reverse("cases:map")).status_code == 405


# --- the case page -----------------------------------------------------------------------------------


def test_case_page_scope(client, cast):
    case = report_case(cast.tree, reporter_phone="13812345678", reporter_name="王秀英")
    url = reverse("cases:detail", args=[case.pk])
    assert client.get(url).status_code == 302
    assert cast.client("other").get(url).status_code == 404
    assert cast.client("neighbour").get(url).status_code == 404
    assert cast.client("member").get(url).status_code == 404  # not pooled, not theirs
    assert cast.client("secretary").get(reverse("cases:detail", args=[999999])).status_code == 404
    response = cast.client("secretary").get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "138****5678" in body and "13812345678" not in body
    assert "王**" in body and "王秀英" not in body
    assert cast.client("secretary").post(url).status_code == 405


def test_offered_actions_are_exactly_what_the_service_allows(cast):
    """For cases in many states and every kind of user, the page offers the service's own answer."""
    team = responder_create(name="应急队", kind="team", region=cast.tree.community_a1, members=[cast.staff])
    reported = report_case(cast.tree)
    pooled = move(report_case(cast.tree), ("accept", cast.secretary, {}), ("pool", cast.secretary, {}))
    with_team = move(
        report_case(cast.tree),
        ("accept", cast.secretary, {}),
        ("dispatch", cast.secretary, {"to_responder": team}),
    )
    handled = resolved(cast)
    supervised = dispatched(cast)
    case_transition(case=supervised.pk, action="supervise", actor=cast.street, reason="请加快")
    # no point, so no grid (a point outside the chosen community is refused): no pool
    nowhere = report_case(cast.tree, at=(None, None), community=cast.tree.community_a1)
    move(nowhere, ("accept", cast.secretary, {}))
    users = [cast.secretary, cast.staff, cast.worker, cast.street, cast.county, cast.member]
    for case in (reported, pooled, with_team, handled, supervised, nowhere):
        case.refresh_from_db()
        for user in users:
            offered = set(available_actions(user, case))
            expected = set(allowed_actions_for(user, case)) - {"warn", "rate"}
            if case.grid_id is None:
                expected.discard("pool")
            assert offered == expected, (case.status, user.username)
    assert "pool" not in available_actions(cast.secretary, Case.objects.get(pk=nowhere.pk))
    assert available_actions(cast.secretary, reported) == ["accept", "accept_dispatch", "reject", "merge"]
    assert available_actions(cast.worker, Case.objects.get(pk=handled.pk)) == ["verify_pass", "verify_fail"]
    assert "take" in available_actions(cast.member, Case.objects.get(pk=pooled.pk))
    assert "answer_supervision" in available_actions(cast.staff, Case.objects.get(pk=supervised.pk))


def test_accept_through_the_page(cast):
    case = report_case(cast.tree)
    client = cast.client("secretary")
    response = client.post(
        act_url(case, "accept"), {"accept-expected_version": case.version, "accept-reason": ""}
    )
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    last = CaseTransition.objects.filter(case=case).latest("id")
    assert (last.action, last.actor) == ("accept", cast.secretary)


def test_stale_version_is_a_conflict_and_changes_nothing(cast):
    case = report_case(cast.tree)
    rendered_version = case.version
    case_transition(case=case.pk, action="accept", actor=cast.staff)  # someone else, a moment ago
    before = CaseTransition.objects.filter(case=case).count()
    response = cast.client("secretary").post(
        act_url(case, "reject"),
        {"reject-expected_version": rendered_version, "reject-why": "invalid", "reject-reason": "无效"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this case" in body
    assert "Accepted, awaiting dispatch" in body  # the fresh state is shown
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and CaseTransition.objects.filter(case=case).count() == before


def test_htmx_conflict_is_shown_in_the_fragment(cast):
    case = report_case(cast.tree)
    case_transition(case=case.pk, action="accept", actor=cast.staff)
    response = cast.client("secretary").post(
        act_url(case, "accept"), {"accept-expected_version": 0}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="case-main">')
    assert "Someone else changed this case" in body


@pytest.mark.parametrize(
    "who, action, data, status, message",
    [
        # the status does not allow it
        ("secretary", "respond", {}, 409, "cannot be"),
        ("secretary", "verify_pass", {}, 409, "cannot be"),
        # the rule allows it, this user may not
        ("worker", "accept", {}, 403, "may not"),
        ("neighbour", "accept", {}, 404, None),
        # input the form or the service refuses
        ("secretary", "reject", {"why": "invalid", "reason": ""}, 400, "Please fill in this field"),
        (
            "secretary",
            "reject",
            {"why": "duplicate", "original": "NOSUCHCODE", "reason": "重复"},
            400,
            "original",
        ),
        ("secretary", "merge", {"into": "NOSUCHCODE"}, 400, "No case with this tracking code"),
        ("secretary", "accept", {"expected_version": "abc"}, 400, None),
    ],
)
def test_refused_actions_change_nothing(cast, who, action, data, status, message):
    case = report_case(cast.tree)
    before = CaseTransition.objects.filter(case=case).count()
    payload = {f"{action}-expected_version": case.version}
    payload.update({f"{action}-{k}": v for k, v in data.items()})
    response = cast.client(who).post(act_url(case, action), payload)
    assert response.status_code == status
    if message:
        assert message in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED
    assert CaseTransition.objects.filter(case=case).count() == before


def test_unknown_action_and_get_are_refused(cast):
    case = report_case(cast.tree)
    client = cast.client("secretary")
    assert client.post(act_url(case, "explode"), {}).status_code == 404
    assert client.post(act_url(case, "warn"), {}).status_code == 404  # the worker's, not a page's
    assert client.get(act_url(case, "accept")).status_code == 405
    assert Client().post(act_url(case, "accept"), {"accept-expected_version": 0}).status_code == 302


def test_dispatch_to_a_person_or_a_team_in_reach(cast):
    team = responder_create(name="应急队", kind="team", region=cast.tree.community_a1, members=[cast.staff])
    case = move(report_case(cast.tree), ("accept", cast.secretary, {}))
    client = cast.client("secretary")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'value="u{cast.staff.pk}"' in page and f'value="r{team.pk}"' in page
    assert f'value="u{cast.other.pk}"' not in page  # another street's official is not offered
    refused = client.post(
        act_url(case, "dispatch"),
        {"dispatch-expected_version": case.version, "dispatch-to": f"u{cast.other.pk}"},
    )
    assert refused.status_code == 400
    response = client.post(
        act_url(case, "dispatch"), {"dispatch-expected_version": case.version, "dispatch-to": f"r{team.pk}"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.assignee_responder) == (CaseStatus.DISPATCHED, team)
    assert case.handling_due is not None


def test_reject_as_duplicate_and_merge(cast):
    original = report_case(cast.tree)
    duplicate = report_case(cast.tree)
    third = report_case(cast.tree)
    client = cast.client("secretary")
    page = client.get(reverse("cases:detail", args=[duplicate.pk])).content.decode()
    assert original.tracking_code in page and "Possibly the same problem" in page
    response = client.post(
        act_url(duplicate, "reject"),
        {
            "reject-expected_version": duplicate.version,
            "reject-why": "duplicate",
            "reject-original": original.tracking_code.lower(),
            "reject-reason": "与前一件相同",
        },
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of) == (CaseStatus.REJECTED, original)
    response = client.post(
        act_url(third, "merge"),
        {"merge-expected_version": third.version, "merge-into": original.tracking_code},
    )
    assert response.status_code == 302
    third.refresh_from_db()
    assert (third.status, third.duplicate_of) == (CaseStatus.MERGED, original)
    page = client.get(reverse("cases:detail", args=[original.pk])).content.decode()
    assert "Merged into this case" in page and third.tracking_code in page


def test_merge_refuses_a_case_of_another_community(cast):
    mine = report_case(cast.tree)
    theirs = report_case(cast.tree, at=IN_COMMUNITY_A2)
    response = cast.client("street").post(
        act_url(mine, "merge"), {"merge-expected_version": mine.version, "merge-into": theirs.tracking_code}
    )
    assert response.status_code == 400 and "same community" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == CaseStatus.REPORTED


def test_handler_flow_and_result_with_photo(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = dispatched(cast)
    staff = cast.client("staff")
    assert staff.post(act_url(case, "respond"), {"respond-expected_version": case.version}).status_code == 302
    case.refresh_from_db()
    photo = SimpleUploadedFile("after.png", tiny_png(), content_type="image/png")
    response = staff.post(
        act_url(case, "resolve"),
        {"resolve-expected_version": case.version, "resolve-reason": "已清运完毕", "resolve-photos": [photo]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.result == "已清运完毕"
    assert CasePhoto.objects.get(case=case).stage == "result"


def test_supervision_note_is_answered_by_the_handler(cast):
    case = dispatched(cast)
    street = cast.client("street")
    response = street.post(
        act_url(case, "supervise"),
        {"supervise-expected_version": case.version, "supervise-reason": "请今天内办结"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.supervised
    staff = cast.client("staff")
    mine = staff.get(reverse("cases:mine")).content.decode()
    assert "请今天内办结" in mine
    response = staff.post(
        act_url(case, "answer_supervision"),
        {
            "answer_supervision-expected_version": case.version,
            "answer_supervision-reason": "已安排今天处理",
            "next": "/cases/mine/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/cases/mine/"
    note = Supervision.objects.get(case=case)
    assert note.answer == "已安排今天处理" and note.answered_by == cast.staff


def test_next_must_stay_on_this_site(cast):
    case = report_case(cast.tree)
    response = cast.client("secretary").post(
        act_url(case, "accept"), {"accept-expected_version": case.version, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("cases:detail", args=[case.pk])


def test_handler_who_returns_a_task_lands_on_their_cases(cast):
    case = dispatched(cast)
    response = cast.client("staff").post(
        act_url(case, "decline"), {"decline-expected_version": case.version, "decline-reason": "不在我职责内"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_reveal_phone_is_audited_and_limited(cast):
    case = report_case(cast.tree, reporter_phone="13812345678")
    url = reverse("cases:reveal", args=[case.pk])
    assert cast.client("worker").post(url).status_code == 403  # sees the case, may not call the reporter
    assert cast.client("other").post(url).status_code == 404
    assert cast.client("secretary").get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="reveal").exists()
    response = cast.client("secretary").post(url)
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    event = AuditEvent.objects.get(action="reveal")
    assert (event.actor, event.target) == (cast.secretary, f"case:{case.pk}")
    assert event.detail["purpose"] == "case"  # the case page's purpose: calling the reporter back


def test_photo_of_another_case_is_404(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from tongxin.cases.reporting import case_photos_add, photos_validate

    first, second = report_case(cast.tree), report_case(cast.tree)
    photo = case_photos_add(
        case=first,
        photos=photos_validate([SimpleUploadedFile("a.png", tiny_png(), content_type="image/png")]),
    )[0]
    client = cast.client("secretary")
    assert client.get(reverse("cases:photo", args=[first.pk, photo.pk])).status_code == 200
    assert client.get(reverse("cases:photo", args=[second.pk, photo.pk])).status_code == 404


def test_whistled_unit_opens_the_case_and_reports(cast):
    from tongxin.cases.models import WhistleType
    from tongxin.testing import make_user

    liaison = make_user("partner_liaison", cast.tree.community_a1, username="paichusuo")
    police = responder_create(name="双塔派出所", kind="police", region=cast.tree.street_a, members=[liaison])
    case = move(report_case(cast.tree), ("accept", cast.secretary, {}))
    url = reverse("cases:detail", args=[case.pk])
    client = login(liaison)
    assert client.get(url).status_code == 404  # not theirs yet
    case = move(
        case,
        (
            "whistle",
            cast.secretary,
            {"whistle_type": WhistleType.objects.get(code="police"), "reason": "夜间有人聚集滋事"},
        ),
    )
    page = client.get(url)
    assert page.status_code == 200 and [f.action for f in page.context["forms"]] == ["report"]
    assert [c.pk for c in client.get(reverse("cases:mine")).context["whistled"]] == [case.pk]
    response = client.post(act_url(case, "report"), {"report-expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.assignee_user, case.assignee_responder) == (
        CaseStatus.IN_PROGRESS,
        liaison,
        police,
    )
