"""Grid worker, handler, hotline operator, Party member and supervisor pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.cases.models import Case, CaseStatus, CaseTransition, Supervision
from tongxin.cases.services import case_transition
from tongxin.cases.testing import category, report_case
from tongxin.cases.tests.pages import (
    IN_COMMUNITY_A2,
    IN_GRID_11,
    IN_GRID_12,
    dispatched,
    fresh_cache,
    login,
    make_cast,
    move,
    resolved,
)
from tongxin.organisations.models import OrgKind
from tongxin.organisations.services import organisation_create
from tongxin.testing import make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return make_cast(tree)


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield from fresh_cache()


MINE, PATROL, HOTLINE, POOL, SUPERVISION = (
    "/cases/mine/",
    "/cases/patrol/",
    "/cases/hotline/",
    "/cases/pool/",
    "/cases/supervision/",
)


# --- my cases ---------------------------------------------------------------------------------------


def test_mine_needs_an_account(client):
    assert client.get(MINE).status_code == 302
    assert client.post(MINE).status_code in (302, 405)


def test_mine_for_the_grid_worker_lists_checks_and_verifies(cast):
    handled = resolved(cast)
    elsewhere = report_case(cast.tree, at=IN_GRID_12)  # grid 1.2: not the worker's
    client = cast.client("worker")
    response = client.get(MINE)
    assert response.status_code == 200
    assert [c.pk for c in response.context["to_verify"]] == [handled.pk]
    assert elsewhere.tracking_code not in response.content.decode()
    response = client.post(
        reverse("cases:act", args=[handled.pk, "verify_fail"]),
        {"verify_fail-expected_version": handled.version, "verify_fail-reason": "", "next": MINE},
    )
    assert response.status_code == 302 and response["Location"] == MINE  # back, with the error as a message
    handled.refresh_from_db()
    assert handled.status == CaseStatus.RESOLVED
    response = client.post(
        reverse("cases:act", args=[handled.pk, "verify_pass"]),
        {"verify_pass-expected_version": handled.version, "verify_pass-reason": "现场已干净", "next": MINE},
    )
    assert response.status_code == 302
    handled.refresh_from_db()
    assert handled.status == CaseStatus.VERIFIED
    assert client.get(MINE).context["to_verify"] == []


def test_mine_for_a_handler_without_case_role(cast):
    case = move(
        report_case(cast.tree),
        ("accept", cast.secretary, {}),
        ("dispatch", cast.secretary, {"to_user": cast.member}),
    )
    client = cast.client("member")
    response = client.get(MINE)
    assert [c.pk for c in response.context["assigned"]] == [case.pk]
    # the handler opens and works the case, though they hold no case role
    detail = client.get(reverse("cases:detail", args=[case.pk]))
    assert detail.status_code == 200 and "respond" in detail.context["forms"][0].action
    response = client.post(
        reverse("cases:act", args=[case.pk, "respond"]), {"respond-expected_version": case.version}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS


# --- patrol -------------------------------------------------------------------------------------------


def patrol_data(**overrides):
    data = {
        "category": str(category("0403").pk),
        "kind": "patrol",
        "description": "巡查发现路灯不亮",
        "grid": "",
        "lng": "",
        "lat": "",
        "address": "",
    }
    data.update(overrides)
    return data


def test_patrol_needs_the_capability(client, cast):
    assert client.get(PATROL).status_code == 302
    assert cast.client("member").get(PATROL).status_code == 403
    assert cast.client("county").get(PATROL).status_code == 403


def test_patrol_by_grid_without_a_position(cast):
    client = cast.client("worker")
    page = client.get(PATROL)
    assert page.status_code == 200
    response = client.post(PATROL, patrol_data(grid=str(cast.tree.grids["1.1"].pk)))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert (case.source, case.grid, case.region_path) == (
        "patrol",
        cast.tree.grids["1.1"],
        cast.tree.grids["1.1"].path,
    )
    assert case.reported_by == cast.worker
    # the worker sees it among the open cases of the grid
    assert case.pk in [c.pk for c in client.get(MINE).context["area"]]


def test_patrol_with_the_phone_position(cast):
    response = cast.client("worker").post(PATROL, patrol_data(lng=str(IN_GRID_11[0]), lat=str(IN_GRID_11[1])))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.grid, case.lat) == (cast.tree.grids["1.1"], IN_GRID_11[1])


@pytest.mark.parametrize(
    "overrides",
    [
        {"lng": str(IN_GRID_12[0]), "lat": str(IN_GRID_12[1])},  # outside the worker's grid
        {"grid": ""},  # neither position nor grid
        {"description": ""},
        {"category": ""},
    ],
)
def test_patrol_refusals_write_nothing(cast, overrides):
    data = patrol_data(grid=str(cast.tree.grids["1.1"].pk))
    if "lng" in overrides:
        data["grid"] = ""
    data.update(overrides)
    response = cast.client("worker").post(PATROL, data)
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_patrol_grid_outside_scope_is_not_offered(cast):
    response = cast.client("worker").post(PATROL, patrol_data(grid=str(cast.tree.grids["1.2"].pk)))
    assert response.status_code == 400 and "grid" in response.context["form"].errors
    assert not Case.objects.exists()


# --- hotline ------------------------------------------------------------------------------------------


def hotline_data(cast, **overrides):
    data = {
        "hotline_ticket": "GS20261125-001",
        "category": str(category("0603").pk),
        "kind": "complaint",
        "description": "来电反映夜间施工噪音扰民",
        "community": str(cast.tree.community_a1.pk),
        "address": "干将路88号",
        "reporter_name": "来电人",
        "reporter_phone": "13900002222",
        "lng": "",
        "lat": "",
    }
    data.update(overrides)
    return data


def test_hotline_entry(cast):
    client = cast.client("hotline")
    assert client.get(HOTLINE).status_code == 200
    response = client.post(HOTLINE, hotline_data(cast))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:hotline_done", args=[case.pk]
    )
    assert (case.source, case.hotline_ticket, case.community) == (
        "hotline",
        "GS20261125-001",
        cast.tree.community_a1,
    )
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert f"/track/{case.tracking_code}/" in done.content.decode()
    assert cast.client("secretary").get(reverse("cases:hotline_done", args=[case.pk])).status_code == 404


def test_hotline_refusals(client, cast):
    assert client.get(HOTLINE).status_code == 302
    assert cast.client("member").get(HOTLINE).status_code == 403
    hotline = cast.client("hotline")
    for overrides in ({"hotline_ticket": ""}, {"community": ""}, {"reporter_phone": "123"}):
        assert hotline.post(HOTLINE, hotline_data(cast, **overrides)).status_code == 400
    # a community secretary enters calls for their own community only
    response = cast.client("secretary").post(
        HOTLINE, hotline_data(cast, community=str(cast.tree.community_a2.pk))
    )
    assert response.status_code == 400
    assert not Case.objects.exists()
    assert hotline.get(reverse("cases:hotline_done", args=[12345])).status_code == 404


# --- the order pool -----------------------------------------------------------------------------------


def pooled(cast, **kw):
    return move(report_case(cast.tree, **kw), ("accept", cast.secretary, {}), ("pool", cast.secretary, {}))


def test_pool_lists_the_branch_grids_and_take(cast):
    mine = pooled(cast)
    other_grid = pooled(cast, at=IN_GRID_12)  # grid 1.2 has no branch of this member
    client = cast.client("member")
    response = client.get(POOL)
    assert response.status_code == 200
    assert [c.pk for c in response.context["cases"]] == [mine.pk]
    assert other_grid.tracking_code not in response.content.decode()
    assert client.get(reverse("cases:detail", args=[mine.pk])).status_code == 200  # to read before taking
    assert client.get(reverse("cases:detail", args=[other_grid.pk])).status_code == 404
    response = client.post(
        reverse("cases:act", args=[mine.pk, "take"]), {"take-expected_version": mine.version}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.assignee_user) == (CaseStatus.IN_PROGRESS, cast.member)
    assert client.get(POOL).context["cases"] == []


def test_pool_for_someone_who_is_no_member(client, cast):
    pooled(cast)
    assert client.get(POOL).status_code == 302
    response = cast.client("staff").get(POOL)
    assert response.status_code == 200 and response.context["cases"] == []
    assert "not linked to a member" in response.content.decode()


def test_a_member_of_another_branch_cannot_take(cast):
    case = pooled(cast)
    branch = organisation_create(
        name="锦帆路社区第1网格党支部",
        kind=OrgKind.GRID_BRANCH,
        code="ORG-0099",
        region=cast.tree.grids["2.1"],
        parent=cast.tree.orgs["street"],
    )
    stranger = make_user("member", cast.tree.grids["2.1"], username="waidi")
    stranger.person = make_member(cast.tree.grids["2.1"], branch)
    stranger.save()
    response = login(stranger).post(
        reverse("cases:act", args=[case.pk, "take"]), {"take-expected_version": case.version}
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).status == CaseStatus.POOLED


def test_two_members_take_the_same_order(cast):
    case = pooled(cast)
    second = make_user("member", cast.tree.grids["1.1"], username="dangyuan2")
    second.person = make_member(cast.tree.grids["1.1"], cast.tree.orgs["grid_branch"])
    second.save()
    first_client, second_client = cast.client("member"), login(second)
    assert (
        first_client.post(
            reverse("cases:act", args=[case.pk, "take"]), {"take-expected_version": case.version}
        ).status_code
        == 302
    )
    late = second_client.post(
        reverse("cases:act", args=[case.pk, "take"]), {"take-expected_version": case.version}
    )
    # the order left the pool: back to the pool, with a message saying why
    assert late.status_code == 302 and late["Location"] == POOL
    assert "Someone else took this order first" in second_client.get(POOL).content.decode()
    assert Case.objects.get(pk=case.pk).assignee_user == cast.member
    assert CaseTransition.objects.filter(case=case, action="take").count() == 1


# --- supervision -------------------------------------------------------------------------------------


def test_supervision_queue_is_scoped(client, cast):
    now = timezone.now()
    late = dispatched(cast)
    Case.objects.filter(pk=late.pk).update(handling_due=now - timedelta(hours=2))
    on_time = dispatched(cast)
    supervised = dispatched(cast)
    case_transition(case=supervised.pk, action="supervise", actor=cast.county, reason="限期办结")
    other_street = report_case(cast.tree, at=(120.645, 31.31), community=cast.tree.community_b1)
    assert client.get(SUPERVISION).status_code == 302
    assert cast.client("secretary").get(SUPERVISION).status_code == 403
    response = cast.client("street").get(SUPERVISION)
    found = {c.pk for c, _pending in response.context["rows"]}
    assert found == {late.pk, supervised.pk}
    assert on_time.pk not in found and other_street.pk not in found
    pending = dict((c.pk, n) for c, n in response.context["rows"])
    assert pending[supervised.pk] == 1 and pending[late.pk] == 0


def test_supervision_note_from_the_queue(cast):
    case = dispatched(cast)
    Case.objects.filter(pk=case.pk).update(handling_due=timezone.now() - timedelta(hours=2))
    client = cast.client("county")
    response = client.post(
        reverse("cases:act", args=[case.pk, "supervise"]),
        {
            "supervise-expected_version": case.version,
            "supervise-reason": "请说明延误原因",
            "next": SUPERVISION,
        },
    )
    assert response.status_code == 302 and response["Location"] == SUPERVISION
    assert Supervision.objects.get(case=case).note == "请说明延误原因"
    empty = client.post(
        reverse("cases:act", args=[case.pk, "supervise"]),
        {"supervise-expected_version": case.version + 1, "supervise-reason": "", "next": SUPERVISION},
        follow=True,
    )
    assert empty.redirect_chain[-1][0] == SUPERVISION
    assert "Please fill in this field" in empty.content.decode()  # the refusal, as a message on the queue
    assert Supervision.objects.filter(case=case).count() == 1


def test_other_community_worker_sees_nothing(cast):
    report_case(cast.tree, at=IN_COMMUNITY_A2)
    worker = make_user("grid_worker", cast.tree.grids["2.1"], username="wg2")
    response = Client()
    response.force_login(worker)
    assert response.get(MINE).context["area_total"] == 1
    assert cast.client("worker").get(MINE).context["area_total"] == 0
