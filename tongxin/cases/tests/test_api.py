"""/api/v1/cases: intake, lists, detail, timeline, actions, tracking, rating, rates, idempotency."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tongxin.accounts.services import token_create
from tongxin.cases.models import Case, CaseStatus, CaseTransition, IdempotencyKey
from tongxin.cases.services import case_transition
from tongxin.cases.testing import report_case
from tongxin.cases.tests.cast import Cast, build_cast

pytestmark = pytest.mark.django_db

IN_GRID_11 = {"lng": 120.605, "lat": 31.31}
IN_GRID_21 = {"lng": 120.625, "lat": 31.31}
NOWHERE = {"lng": 121.5, "lat": 30.0}


def call(
    client: Client,
    method: str,
    path: str,
    body: Any = None,
    *,
    key: str | None = None,
    token: str | None = None,
) -> Any:
    headers = {}
    if key:
        headers["Idempotency-Key"] = key
    if token:
        headers["Authorization"] = f"Bearer {token}"
    extra: dict[str, Any] = {}
    if body is not None:
        extra = {
            "data": body if isinstance(body, str | bytes) else json.dumps(body),
            "content_type": "application/json",
        }
    return getattr(client, method)(f"/api/v1/cases{path}", headers=headers, **extra)


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast(tree) -> Cast:
    return build_cast(tree)


def resident_report(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "complaint",
        "category": "0101",
        "description": "楼下垃圾三天没人清运，气味很大",
        "address": "滚绣坊12号",
        "reporter_name": "李秀英",
        "reporter_phone": "13812345678",
        **IN_GRID_11,
    }
    body.update(overrides)
    return body


def act(user: Any, case: Case, action: str, **body: Any) -> Any:
    return call(as_user(user), "post", f"/{case.pk}/actions/{action}", body)


# --- configuration --------------------------------------------------------------------------------


def test_categories_are_public(client):
    response = call(client, "get", "/categories")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert rows["01"]["parent_code"] is None
    assert rows["0101"]["parent_code"] == "01"
    assert rows["0501"]["response_hours"] == 0.5 and rows["0501"]["auto_whistle"] is True


def test_whistle_types_need_an_account(client, cast):
    assert call(client, "get", "/whistle-types").status_code == 401
    response = call(as_user(cast.secretary), "get", "/whistle-types")
    assert response.status_code == 200
    escalate = next(row for row in response.json() if row["code"] == "escalate")
    assert [s["target"] for s in escalate["steps"]] == ["community", "street", "county"]


# --- intake ---------------------------------------------------------------------------------------


def test_public_intake_without_an_account(client, tree):
    response = call(client, "post", "/public", resident_report())
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(tracking_code=data["tracking_code"])
    assert case.grid == tree.grids["1.1"] and case.community == tree.community_a1
    assert case.source == "resident" and case.reported_by is None
    assert case.reporter_phone_masked == "138****5678"
    assert data["token"] and data["token"] in data["track_url"]
    assert call(client, "get", f"/track/{case.tracking_code}?token={data['token']}").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (resident_report(category="01"), 400, "category"),  # first level
        (resident_report(category="9999"), 400, "category"),
        (resident_report(description="脏"), 400, "description"),
        (resident_report(reporter_phone="12345"), 400, "reporter_phone"),
        (resident_report(**NOWHERE), 400, "location"),
        (resident_report(lng=None), 400, "location"),
        (resident_report(community=999999, lng=None, lat=None), 400, "community"),
        (resident_report(kind="rumour"), 422, "kind"),
        (resident_report(lat=200), 422, "lat"),
        (resident_report(source="patrol"), 422, "source"),  # residents cannot choose a source
        ({k: v for k, v in resident_report().items() if k != "category"}, 422, "category"),
        (resident_report(description=["a"]), 422, "description"),
    ],
)
def test_public_intake_refuses_bad_input_with_field_errors(client, tree, body, status, field):
    response = call(client, "post", "/public", body)
    assert response.status_code == status, response.content
    data = response.json()
    assert data["code"] == "invalid"
    assert field in {e["field"] for e in data["errors"]}
    assert not Case.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "[]", "null", b"\xff\xfe", ""])
def test_malformed_bodies_are_422_json_never_500(client, cast, tree, raw):
    for user_client, path in [(client, "/public"), (as_user(cast.grid_worker), "")]:
        response = call(user_client, "post", path, raw)
        assert response.status_code == 422, (path, raw, response.content)
        assert response.json()["code"] == "invalid"
    case = report_case(tree)
    response = call(as_user(cast.secretary), "post", f"/{case.pk}/actions/accept", raw)
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_public_intake_located_by_community_when_no_grid(client, tree):
    response = call(
        client, "post", "/public", resident_report(lng=None, lat=None, community=tree.community_b1.pk)
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.grid is None and case.community == tree.community_b1


def test_patrol_intake_by_a_grid_worker(cast, tree):
    first = report_case(tree)
    body = {"source": "patrol", "category": "0101", "description": "垃圾桶满溢，需要清运", **IN_GRID_11}
    response = call(as_user(cast.grid_worker), "post", "", body)
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert case.reported_by == cast.grid_worker and case.kind == "patrol"
    assert data["status"] == "reported" and data["version"] == 0
    assert "token" not in data  # an official never holds the resident's rating link
    assert [d["id"] for d in data["possible_duplicates"]] == [first.pk]


def test_intake_with_a_bearer_token(cast):
    token = token_create(user=cast.grid_worker, name="巡查App")[1]
    body = {"source": "api", "kind": "help", "category": "0802", "description": "独居老人需要上门帮助"}
    response = call(Client(), "post", "", {**body, **IN_GRID_11}, token=token)
    assert response.status_code == 201, response.content


def test_hotline_intake_needs_the_ticket_number(cast, tree):
    body = {"source": "hotline", "kind": "complaint", "category": "0603", "description": "夜间施工噪音扰民"}
    response = call(as_user(cast.hotline), "post", "", {**body, **IN_GRID_21})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "hotline_ticket"
    response = call(as_user(cast.hotline), "post", "", {**body, **IN_GRID_21, "hotline_ticket": "12345-0001"})
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.hotline_ticket == "12345-0001" and case.community == tree.community_a2
    # the operator reports for the whole county but sees no cases: no duplicates are named to them
    assert response.json()["possible_duplicates"] == []


@pytest.mark.parametrize("who", ["anonymous", "nobody", "member", "grid_worker_elsewhere"])
def test_intake_refusals(client, cast, who):
    body = {"source": "patrol", "category": "0101", "description": "垃圾桶满溢，需要清运"}
    if who == "anonymous":
        response = call(client, "post", "", {**body, **IN_GRID_11})
        assert response.status_code == 401
    elif who == "grid_worker_elsewhere":  # grid 1.1's worker reporting in the next community
        response = call(as_user(cast.grid_worker), "post", "", {**body, **IN_GRID_21})
        assert response.status_code == 403
    else:
        response = call(as_user(getattr(cast, who)), "post", "", {**body, **IN_GRID_11})
        assert response.status_code == 403
    assert response.json()["code"] in {"unauthenticated", "forbidden"}
    assert not Case.objects.exists()


# --- idempotency ----------------------------------------------------------------------------------


def test_a_retried_public_report_makes_one_case(client, tree):
    first = call(client, "post", "/public", resident_report(), key="k-2026-0001")
    again = call(client, "post", "/public", resident_report(), key="k-2026-0001")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1 and CaseTransition.objects.count() == 1
    assert first.json()["token"] not in json.dumps(IdempotencyKey.objects.get().response)  # stored sealed
    other = call(
        client, "post", "/public", resident_report(description="另一件事：路灯不亮了"), key="k-2026-0001"
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"
    assert call(client, "post", "/public", resident_report(), key="k-2026-0002").status_code == 201
    assert Case.objects.count() == 2


def test_keys_belong_to_their_account(cast):
    body = {"source": "patrol", "category": "0101", "description": "垃圾桶满溢，需要清运", **IN_GRID_11}
    grid_leader = cast.grid_worker
    assert call(as_user(grid_leader), "post", "", body, key="same").status_code == 201
    assert call(as_user(cast.secretary), "post", "", body, key="same").status_code == 201
    assert call(as_user(grid_leader), "post", "", body, key="same")["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 2


def test_a_failed_request_stores_nothing_and_can_be_retried(client, tree):
    bad = call(client, "post", "/public", resident_report(description="脏"), key="retry-me")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    good = call(client, "post", "/public", resident_report(), key="retry-me")
    assert good.status_code == 201


def test_a_retried_action_is_applied_once(cast, tree):
    case = report_case(tree)
    client = as_user(cast.secretary)
    first = call(client, "post", f"/{case.pk}/actions/accept", {"expected_version": 0}, key="acc-1")
    again = call(client, "post", f"/{case.pk}/actions/accept", {"expected_version": 0}, key="acc-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert CaseTransition.objects.filter(case=case, action="accept").count() == 1
    # without the key the retry is a real second attempt: refused, the case moved on
    assert call(client, "post", f"/{case.pk}/actions/accept", {"expected_version": 0}).status_code == 409


def test_idempotency_key_must_be_sane(client, tree):
    response = call(client, "post", "/public", resident_report(), key="x" * 101)
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    assert not Case.objects.exists()


def test_old_keys_expire_and_are_pruned(client, tree):
    from tongxin.cases.idempotency import idempotency_keys_prune

    call(client, "post", "/public", resident_report(), key="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    # an expired key is a new request
    assert call(client, "post", "/public", resident_report(), key="old").status_code == 201
    assert Case.objects.count() == 2
    call(client, "post", "/public", resident_report(), key="new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_keys_prune() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_pruning_runs_as_a_periodic_job():
    from tongxin.jobs import registry

    registry.load_all()
    assert "cases.idempotency_prune" in registry.PERIODIC


# --- lists ----------------------------------------------------------------------------------------


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def test_list_is_scoped(cast, tree):
    here = report_case(tree)
    there = report_case(tree, at=(120.625, 31.31))
    assert ids(call(as_user(cast.secretary), "get", "")) == [here.pk]
    assert set(ids(call(as_user(cast.street), "get", ""))) == {here.pk, there.pk}
    assert ids(call(as_user(cast.outsider), "get", "")) == [there.pk]
    response = call(as_user(cast.stranger), "get", "")
    assert ids(response) == [] and response.json()["count"] == 0
    assert ids(call(as_user(cast.grid_worker), "get", "")) == [here.pk]
    assert ids(call(as_user(cast.nobody), "get", "")) == []
    assert call(Client(), "get", "").status_code == 401


def test_list_filters(cast, tree):
    street = as_user(cast.street)
    old = report_case(tree, now=timezone.now() - timedelta(days=40), category=_cat("0603"))
    fresh = report_case(tree, at=(120.615, 31.31), description="路灯不亮，晚上看不见路")
    case_transition(case=fresh, action="accept", actor=cast.secretary)
    fresh = case_transition(case=fresh, action="dispatch", actor=cast.secretary, to_user=cast.handler)
    assert ids(call(street, "get", "?status=dispatched")) == [fresh.pk]
    assert set(ids(call(street, "get", "?status=open"))) == {old.pk, fresh.pk}
    assert ids(call(street, "get", "?category=06")) == [old.pk]
    assert ids(call(street, "get", "?category=0603")) == [old.pk]
    assert ids(call(street, "get", f"?node={tree.grids['1.2'].pk}")) == [fresh.pk]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert ids(call(street, "get", f"?since={since}")) == [fresh.pk]
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert ids(call(street, "get", f"?until={until}")) == [old.pk]
    assert ids(call(street, "get", f"?q={fresh.tracking_code}")) == [fresh.pk]
    assert ids(call(street, "get", "?q=路灯")) == [fresh.pk]
    assert ids(call(street, "get", "?overdue=true")) == []
    Case.objects.filter(pk=fresh.pk).update(handling_due=timezone.now() - timedelta(hours=1))
    assert ids(call(street, "get", "?overdue=true")) == [fresh.pk]
    case_transition(case=old, action="supervise", actor=cast.street, reason="请加快处理")
    assert ids(call(street, "get", "?supervised=true")) == [old.pk]
    page = call(street, "get", "?limit=1&offset=1").json()
    assert page["count"] == 2 and len(page["items"]) == 1 and page["limit"] == 1


@pytest.mark.parametrize(
    ("query", "status"),
    [("?status=lost", 422), ("?since=yesterday", 422), ("?category=99", 400), ("?overdue=maybe", 422)],
)
def test_list_bad_filters(cast, query, status):
    response = call(as_user(cast.street), "get", query)
    assert response.status_code == status and response.json()["code"] == "invalid"


def test_list_refuses_a_node_outside_scope(cast, tree):
    assert call(as_user(cast.secretary), "get", f"?node={tree.community_a2.pk}").status_code == 404
    since, until = timezone.localdate(), timezone.localdate() - timedelta(days=1)
    response = call(as_user(cast.street), "get", f"?since={since}&until={until}")
    assert response.status_code == 400


def test_mine_lists_the_pool_and_assigned_cases(cast, tree):
    case = report_case(tree)
    case_transition(case=case, action="accept", actor=cast.secretary)
    case_transition(case=case, action="pool", actor=cast.secretary)
    member = as_user(cast.member)
    assert ids(call(member, "get", "")) == []  # a member sees no cases beyond their own orders
    assert ids(call(member, "get", "?mine=pool")) == [case.pk]
    assert ids(call(as_user(cast.outsider), "get", "?mine=pool")) == []
    assert act(cast.member, case, "take").status_code == 200
    assert ids(call(member, "get", "?mine=assigned")) == [case.pk]
    assert ids(call(member, "get", "?mine=pool")) == []


def _cat(code: str) -> Any:
    from tongxin.cases.testing import category

    return category(code)


# --- one case -------------------------------------------------------------------------------------


def test_detail_with_allowed_actions_and_masked_phone(cast, tree):
    case = report_case(tree, reporter_name="李秀英")
    response = call(as_user(cast.secretary), "get", f"/{case.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["reporter_phone"] == "138****1234" and "13812341234" not in response.content.decode()
    assert set(data["allowed_actions"]) == {"accept", "accept_dispatch", "reject", "merge"}
    assert set(call(as_user(cast.street), "get", f"/{case.pk}").json()["allowed_actions"]) == {
        "accept",
        "accept_dispatch",
        "reject",
        "merge",
        "supervise",
    }
    assert call(as_user(cast.grid_worker), "get", f"/{case.pk}").json()["allowed_actions"] == []


@pytest.mark.parametrize("who", ["outsider", "stranger", "nobody", "member", "hotline"])
def test_detail_and_timeline_outside_scope_are_404(cast, tree, who):
    case = report_case(tree)
    client = as_user(getattr(cast, who))
    for path in (f"/{case.pk}", f"/{case.pk}/timeline"):
        response = call(client, "get", path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert act(getattr(cast, who), case, "accept").status_code == 404
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REPORTED


def test_detail_needs_an_account(client, tree):
    case = report_case(tree)
    assert call(client, "get", f"/{case.pk}").status_code == 401
    assert call(client, "get", f"/{case.pk}/timeline").status_code == 401
    assert call(client, "post", f"/{case.pk}/actions/accept", {}).status_code == 401
    assert call(client, "get", "/999999").status_code == 401


def test_timeline(cast, tree):
    case = report_case(tree)
    act(cast.secretary, case, "accept")
    act(cast.secretary, case, "reject", reason="x")  # refused: writes nothing
    response = call(as_user(cast.secretary), "get", f"/{case.pk}/timeline")
    rows = response.json()
    assert [(r["action"], r["from_status"], r["to_status"]) for r in rows] == [
        ("intake", "", "reported"),
        ("accept", "reported", "accepted"),
    ]
    assert rows[1]["actor_id"] == cast.secretary.pk


# --- the loop through the API ---------------------------------------------------------------------


def test_the_whole_loop(client, cast, tree):
    report = call(client, "post", "/public", resident_report()).json()
    code, token = report["tracking_code"], report["token"]
    case = Case.objects.get(tracking_code=code)
    steps = [
        (cast.secretary, "accept", {"expected_version": 0}, "accepted"),
        (cast.secretary, "dispatch", {"to_user": cast.handler.pk, "expected_version": 1}, "dispatched"),
        (cast.handler, "respond", {}, "in_progress"),
        (cast.handler, "progress", {"reason": "已联系环卫所"}, "in_progress"),
        (cast.handler, "resolve", {"reason": "垃圾已清运，加装了垃圾桶"}, "resolved"),
        (cast.grid_worker, "verify_pass", {}, "verified"),
    ]
    for user, action, body, status in steps:
        response = act(user, case, action, **body)
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == status
    tracked = call(client, "get", f"/track/{code}?token={token}").json()
    assert tracked["can_rate"] and tracked["result"] == "垃圾已清运，加装了垃圾桶"
    rated = call(
        client, "post", f"/track/{code}/rate", {"token": token, "rating": "basically", "comment": "还行"}
    )
    assert rated.status_code == 200 and rated.json()["rating"] == "basically"
    assert rated.json()["can_rate"] is False
    again = call(client, "post", f"/track/{code}/rate", {"token": token, "rating": "satisfied"})
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    response = act(cast.secretary, case, "follow_up", solved=True)
    assert response.json()["status"] == "closed"
    response = act(cast.secretary, case, "archive")
    assert response.json()["status"] == "archived" and response.json()["allowed_actions"] == []
    timeline = call(as_user(cast.street), "get", f"/{case.pk}/timeline").json()
    assert [r["action"] for r in timeline] == [
        "intake",
        "accept",
        "dispatch",
        "respond",
        "progress",
        "resolve",
        "verify_pass",
        "rate",
        "follow_up",
        "archive",
    ]


def test_pool_take_whistle_report(cast, tree):
    case = report_case(tree, category=_cat("0603"))
    act(cast.secretary, case, "accept")
    assert act(cast.secretary, case, "pool").json()["status"] == "pooled"
    assert act(cast.member, case, "take").json()["assignee_user_id"] == cast.member.pk
    response = act(cast.member, case, "whistle", reason="需要派出所", whistle_type="police")
    assert response.status_code == 200 and response.json()["status"] == "whistled"
    detail = call(as_user(cast.officer), "get", f"/{case.pk}").json()  # whistled to their station
    assert detail["allowed_actions"] == ["report"]
    response = act(cast.officer, case, "report")
    assert response.json()["status"] == "in_progress"
    assert response.json()["assignee_responder_id"] == cast.police.pk


def test_dispatch_to_a_team_and_supervision_answered(cast, tree):
    case = report_case(tree)
    act(cast.secretary, case, "accept")
    assert act(cast.secretary, case, "dispatch", to_responder=cast.team.pk).status_code == 200
    assert act(cast.county, case, "supervise", reason="请尽快响应").json()["supervised"] is True
    detail = call(as_user(cast.team_member), "get", f"/{case.pk}").json()
    assert "answer_supervision" in detail["allowed_actions"] and "respond" in detail["allowed_actions"]
    response = act(cast.team_member, case, "answer_supervision", reason="今天下午处理")
    assert response.json()["supervised"] is False
    assert "answer_supervision" not in response.json()["allowed_actions"]


@pytest.mark.parametrize(
    ("who", "action", "body", "status", "code"),
    [
        ("secretary", "resolve", {"reason": "x"}, 409, "illegal_transition"),
        ("grid_worker", "accept", {}, 403, "forbidden"),
        ("secretary", "reject", {"why": "invalid"}, 400, "invalid"),  # no reason
        ("secretary", "reject", {"reason": "重复", "why": "duplicate"}, 400, "invalid"),  # no original
        ("secretary", "fly", {}, 404, "unknown_action"),
        ("secretary", "accept", {"to_user": 1}, 400, "invalid"),  # not a field of accept
        ("secretary", "accept", {"expected_version": "abc"}, 422, "invalid"),
        ("secretary", "accept", {"colour": "red"}, 422, "invalid"),
        ("secretary", "accept", {"expected_version": 7}, 409, "conflict"),
        ("secretary", "rate", {}, 409, "illegal_transition"),
        ("street", "warn", {}, 403, "forbidden"),  # the worker's action
    ],
)
def test_action_refusals(cast, tree, who, action, body, status, code):
    case = report_case(tree)
    response = act(getattr(cast, who), case, action, **body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert CaseTransition.objects.filter(case=case).count() == 1


def test_action_references_stay_in_scope(cast, tree):
    case = report_case(tree)
    elsewhere = report_case(tree, at=(120.625, 31.31))
    act(cast.secretary, case, "accept")
    response = act(cast.secretary, case, "dispatch", to_user=cast.outsider.pk)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "to_user"
    response = act(cast.secretary, case, "merge", into=elsewhere.pk)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "into"
    response = act(cast.secretary, case, "whistle", reason="上报", whistle_type="nonsense")
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


def test_wrong_methods(cast, tree):
    case = report_case(tree)
    client = as_user(cast.secretary)
    assert call(client, "put", "", {}).status_code == 405
    assert call(client, "get", f"/{case.pk}/actions/accept").status_code == 405
    assert call(client, "delete", f"/{case.pk}").status_code == 405


# --- tracking and rating --------------------------------------------------------------------------


def _public_case(client: Client) -> tuple[str, str]:
    data = call(client, "post", "/public", resident_report()).json()
    return data["tracking_code"], data["token"]


def test_tracking_shows_no_personal_data(client, cast, tree):
    code, token = _public_case(client)
    case = Case.objects.get(tracking_code=code)
    act(cast.secretary, case, "accept")
    act(cast.secretary, case, "dispatch", to_user=cast.handler.pk, reason="请张三处理")
    response = call(client, "get", f"/track/{code}?token={token}")
    assert response.status_code == 200
    text = response.content.decode()
    for secret in (
        "李秀英",
        "13812345678",
        "138****5678",
        "滚绣坊12号",
        "气味很大",
        "请张三处理",
        cast.handler.username,
        cast.secretary.username,
        "120.605",
    ):
        assert secret not in text, secret
    data = response.json()
    assert data["status"] == "dispatched" and data["category"] == "垃圾清运"
    assert [e["action"] for e in data["timeline"]] == ["intake", "accept", "dispatch"]


@pytest.mark.parametrize("variant", ["wrong token", "no token", "wrong code"])
def test_tracking_needs_code_and_token(client, tree, variant):
    code, token = _public_case(client)
    path = {
        "wrong token": f"/track/{code}?token=nope",
        "no token": f"/track/{code}",
        "wrong code": f"/track/ZZ{code}?token={token}",
    }[variant]
    response = call(client, "get", path)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    rate = call(client, "post", path.split("?")[0] + "/rate", {"token": "nope", "rating": "satisfied"})
    assert rate.status_code == 404


def test_rating_before_the_result_is_refused(client, tree):
    code, token = _public_case(client)
    response = call(client, "post", f"/track/{code}/rate", {"token": token, "rating": "satisfied"})
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    response = call(client, "post", f"/track/{code}/rate", {"token": token, "rating": "great"})
    assert response.status_code == 422


def test_not_solved_reopens_and_merged_cases_follow_the_main_one(client, cast, tree):
    code, token = _public_case(client)
    case = Case.objects.get(tracking_code=code)
    dup_code, dup_token = _public_case(client)
    duplicate = Case.objects.get(tracking_code=dup_code)
    act(cast.secretary, duplicate, "merge", into=case.pk)
    for user, action, body in [
        (cast.secretary, "accept", {}),
        (cast.secretary, "dispatch", {"to_user": cast.handler.pk}),
        (cast.handler, "respond", {}),
        (cast.handler, "resolve", {"reason": "已清运"}),
        (cast.grid_worker, "verify_pass", {}),
    ]:
        assert act(user, case, action, **body).status_code == 200
    merged = call(client, "get", f"/track/{dup_code}?token={dup_token}").json()
    assert merged["status"] == "merged"
    assert merged["merged_into"]["tracking_code"] == code and merged["merged_into"]["result"] == "已清运"
    response = call(
        client, "post", f"/track/{code}/rate", {"token": token, "rating": "unsatisfied", "solved": False}
    )
    assert response.json()["status"] == "in_progress"
    assert Case.objects.get(pk=case.pk).reopened_count == 1


# --- rates ----------------------------------------------------------------------------------------


def test_rates_endpoint(cast, tree):
    case = report_case(tree)
    case_transition(case=case, action="accept", actor=cast.secretary)
    case_transition(case=case, action="dispatch", actor=cast.secretary, to_user=cast.handler)
    case_transition(case=case, action="respond", actor=cast.handler)
    response = call(as_user(cast.street), "get", "/rates")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["node_id"] == tree.street_a.pk
    assert (data["dispatched"], data["responded_in_time"], data["response_rate"]) == (1, 1, 1.0)
    assert data["satisfaction_rate"] is None and data["basically_weight"] == 0.8
    other = call(as_user(cast.street), "get", f"/rates?node={tree.community_a2.pk}").json()
    assert other["dispatched"] == 0 and other["response_rate"] is None
    assert call(as_user(cast.outsider), "get", "/rates").json()["dispatched"] == 0
    assert call(as_user(cast.outsider), "get", f"/rates?node={tree.community_a1.pk}").status_code == 404
    assert call(as_user(cast.nobody), "get", "/rates").status_code == 403
    assert call(Client(), "get", "/rates").status_code == 401
    assert call(as_user(cast.street), "get", "/rates?since=2026-02-01&until=2026-01-01").status_code == 400


def test_rates_endpoint_counts_a_case_closed_unsolved_as_concluded(cast, tree):
    case = report_case(tree)
    case_transition(case=case, action="accept", actor=cast.secretary)
    case_transition(case=case, action="dispatch", actor=cast.secretary, to_user=cast.handler)
    case_transition(case=case, action="respond", actor=cast.handler)
    case_transition(case=case, action="close_unsolved", actor=cast.secretary, reason="涉及产权纠纷")
    data = call(as_user(cast.street), "get", "/rates").json()
    # "followed_up" is the deprecated name of "concluded": the same value
    assert (data["concluded"], data["followed_up"], data["solved"]) == (1, 1, 0)
    assert data["resolution_rate"] == 0.0


def test_search_by_code_ticket_or_words(cast, tree):
    street = as_user(cast.street)
    resident = report_case(tree, description="小区门口井盖缺失，很危险")
    hotline = report_case(
        tree, source="hotline", hotline_ticket="12345-20261123-0042", description="噪音扰民很严重"
    )
    assert ids(call(street, "get", f"?q={resident.tracking_code.lower()}")) == [resident.pk]
    assert ids(call(street, "get", "?q=12345-20261123-0042")) == [hotline.pk]
    assert ids(call(street, "get", "?q=井盖")) == [resident.pk]
    assert ids(call(street, "get", "?q=ZZZZZZ99999")) == []
    assert ids(call(as_user(cast.outsider), "get", f"?q={resident.tracking_code}")) == []  # still scoped
