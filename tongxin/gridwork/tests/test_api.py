from datetime import timedelta

from django.utils import timezone

from tongxin.cases.models import Case
from tongxin.cases.testing import category
from tongxin.core.tests.listing import login
from tongxin.gridwork.models import LogEntry
from tongxin.gridwork.services import campaign_round_record, campaign_start, log_record


def test_record_and_list_entries(tree, worker, households):
    client = login(worker)
    body = {"kind": "visit", "grid": tree.grids["1.1"].pk, "household": households[0].pk, "note": "走访"}
    made = client.post("/api/v1/gridwork/entries", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["kind"] == "visit" and made.json()["household"] == households[0].pk
    listed = client.get("/api/v1/gridwork/entries").json()
    assert listed["count"] == 1


def test_a_finding_through_the_api_is_one_case_even_retried(tree, worker, households):
    client = login(worker)
    body = {
        "kind": "patrol",
        "grid": tree.grids["1.1"].pk,
        "note": "消防通道被占用",
        "found_something": True,
        "case_category": category("0102").pk,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-1"}
    first = client.post("/api/v1/gridwork/entries", body, content_type="application/json", **headers)
    again = client.post("/api/v1/gridwork/entries", body, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["case"] and first.json()["case"] == again.json()["case"]
    assert LogEntry.objects.count() == 1 and Case.objects.count() == 1


def test_bad_input_is_a_json_error(tree, worker):
    client = login(worker)
    bad = client.post(
        "/api/v1/gridwork/entries",
        {"kind": "mediation", "grid": tree.grids["1.1"].pk},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"]


def test_a_worker_of_another_grid_gets_404(tree, worker, other_worker, street, households):
    entry = log_record(actor=worker, kind="visit", grid=tree.grids["1.1"], household=households[0])
    client = login(other_worker)
    assert client.get(f"/api/v1/gridwork/entries/{entry.pk}").status_code == 404
    assert client.get("/api/v1/gridwork/entries").json()["count"] == 0
    refused = client.post(
        "/api/v1/gridwork/entries",
        {"kind": "patrol", "grid": tree.grids["1.1"].pk},
        content_type="application/json",
    )
    assert refused.status_code in (400, 404) and LogEntry.objects.count() == 1
    today = timezone.localdate()
    campaign = campaign_start(
        actor=street,
        region=tree.community_a1,
        title="排查",
        checklist=["消防"],
        grids=[tree.grids["1.1"]],
        starts_on=today - timedelta(days=1),
        ends_on=today,
    )
    assert client.get(f"/api/v1/gridwork/campaigns/{campaign.pk}").status_code == 404
    assert client.get(f"/api/v1/gridwork/campaigns/{campaign.pk}/coverage").status_code == 404


def test_coverage_equals_the_rounds(tree, worker, street, households):
    today = timezone.localdate()
    campaign = campaign_start(
        actor=street,
        region=tree.street_a,
        title="燃气安全专项行动",
        checklist=["燃气管道"],
        grids=[tree.grids["1.1"], tree.grids["1.2"]],
        starts_on=today - timedelta(days=1),
        ends_on=today,
    )
    for household in households[:2]:
        campaign_round_record(actor=worker, campaign=campaign, grid=tree.grids["1.1"], household=household)
    data = login(street).get(f"/api/v1/gridwork/campaigns/{campaign.pk}/coverage").json()
    assert (data["households_in_scope"], data["households_visited"], data["rounds"]) == (3, 2, 2)
    mine = login(worker).get(f"/api/v1/gridwork/campaigns/{campaign.pk}/coverage").json()
    assert [g["grid"]["id"] for g in mine["grids"]] == [tree.grids["1.1"].pk]
    assert login(worker).get("/api/v1/gridwork/campaigns").json()["count"] == 1
