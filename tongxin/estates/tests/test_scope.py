"""Every page and endpoint of estates stays in its reach: another community's staff and another firm's
liaison get a 404; the firm's own liaison sees its estates and evaluation, nothing else."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.cases.tests.pages import login
from tongxin.core.actors import SYSTEM
from tongxin.estates.models import EntryKind
from tongxin.estates.services import fund_create, fund_entry_add, project_locate, subsidy_compute
from tongxin.lists.models import ProjectKind
from tongxin.lists.services import project_create
from tongxin.people.models import PositionKind
from tongxin.people.services import position_create
from tongxin.testing import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def things(world):
    tree = world.cast.tree
    head = position_create(
        person=make_person(world.buildings[0], name="张楼长"),
        kind=PositionKind.BUILDING_HEAD,
        region=world.buildings[0],
        starts_on=date(2020, 1, 1),
    )
    run = subsidy_compute(actor=SYSTEM, community=tree.community_a1, year=timezone.localdate().year)
    fund = fund_create(actor=SYSTEM, community=tree.community_a1, name="阳光花园1幢楼组")
    fund_entry_add(
        actor=SYSTEM,
        fund=fund,
        kind=EntryKind.GRANT,
        amount=Decimal(300),
        on=timezone.localdate(),
        purpose="拨付",
    )
    project = project_create(
        actor=SYSTEM,
        title="阳光花园2幢加装电梯",
        kind=ProjectKind.COBUILDING,
        lead_name="王主任",
        region=tree.community_a1,
    )
    project_locate(actor=SYSTEM, project=project, lng=120.6054, lat=31.3102, label="阳光花园2幢")
    return {"head": head, "run": run, "fund": fund, "project": project}


def _pages(world, things):
    return [
        reverse("estates:detail", args=[world.estate.pk]),
        reverse("estates:firm", args=[world.firm.pk]),
        reverse("estates:head", args=[things["head"].pk]),
        reverse("estates:run", args=[things["run"].pk]),
        reverse("estates:fund", args=[things["fund"].pk]),
    ]


def test_community_staff_see_their_estates_and_pages(world, things):
    client = login(world.cast.staff)
    body = client.get(reverse("estates:list")).content.decode()
    assert "阳光花园" in body and "锦苑" not in body
    assert "红色物业" in body and "红色业委会" in body
    for url in _pages(world, things):
        assert client.get(url).status_code == 200, url
    points = client.get(reverse("estates:map_points")).json()
    assert [f["properties"]["title"] for f in points["features"]] == ["阳光花园2幢加装电梯"]


def test_another_community_s_staff_get_404(world, things):
    client = login(world.cast.neighbour)  # secretary of 锦帆路社区, same street
    body = client.get(reverse("estates:list")).content.decode()
    assert "锦苑" in body and "阳光花园" not in body
    for url in _pages(world, things):
        assert client.get(url).status_code == 404, url
    for url, data in [
        (reverse("estates:firm_score", args=[world.firm.pk]), {"year": 2026, "score": "50"}),
        (reverse("estates:run_approve", args=[things["run"].pk]), {}),
        (
            reverse("estates:fund", args=[things["fund"].pk]),
            {"kind": "grant", "amount": "5", "on": "2026-01-02", "purpose": "x"},
        ),
        (reverse("estates:head_grade", args=[things["head"].pk]), {"year": 2026, "grade": "excellent"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert client.get(reverse("estates:map_points")).json()["features"] == []
    api = client.get(f"/api/v1/estates/{world.estate.pk}")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert client.get(f"/api/v1/estates/firms/{world.firm.pk}/evaluation").status_code == 404
    listed = client.get("/api/v1/estates").json()
    assert [e["name"] for e in listed["items"]] == ["锦苑"]


def test_the_firm_s_liaison_sees_its_estates_and_evaluation_only(world, things):
    client = login(world.liaison)
    body = client.get(reverse("estates:list")).content.decode()
    assert "阳光花园" in body and "锦苑" not in body
    assert client.get(reverse("estates:detail", args=[world.estate.pk])).status_code == 200
    firm = client.get(reverse("estates:firm", args=[world.firm.pk]))
    assert firm.status_code == 200 and "The street's score" in firm.content.decode()
    assert 'name="score"' not in firm.content.decode()  # the firm does not score itself
    assert client.get(reverse("estates:firm", args=[world.other_firm.pk])).status_code == 404
    assert client.get(reverse("estates:detail", args=[world.other_estate.pk])).status_code == 404
    for url in _pages(world, things)[2:]:  # subsidies, funds, heads: not the firm's
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("estates:map")).status_code == 404
    evaluation = client.get(f"/api/v1/estates/firms/{world.firm.pk}/evaluation")
    assert evaluation.status_code == 200 and evaluation.json()["firm"] == "红心物业"
    assert client.get(f"/api/v1/estates/firms/{world.other_firm.pk}/evaluation").status_code == 404
    assert [e["name"] for e in client.get("/api/v1/estates").json()["items"]] == ["阳光花园"]


def test_another_firm_s_liaison_gets_404(world, things):
    client = login(world.other_liaison)
    for url in _pages(world, things):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/api/v1/estates/{world.estate.pk}").status_code == 404
    assert client.get(f"/api/v1/estates/firms/{world.firm.pk}/evaluation").status_code == 404


def test_someone_with_no_reach_gets_404_and_anonymous_is_sent_to_log_in(world, things, client):
    member = login(world.cast.member)
    assert member.get(reverse("estates:list")).status_code == 404
    assert member.get("/api/v1/estates").status_code == 404
    response = client.get(reverse("estates:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_street_scores_and_the_api_shows_the_evaluation(world, things):
    client = login(world.cast.street)
    year = timezone.localdate().year
    response = client.post(reverse("estates:firm_score", args=[world.firm.pk]), {"year": year, "score": "88"})
    assert response.status_code == 302
    data = client.get(f"/api/v1/estates/firms/{world.firm.pk}/evaluation", {"year": year}).json()
    assert data["subjective_score"] == "88.00" or float(data["subjective_score"]) == 88
    assert {p["key"] for p in data["parts"]} == {"resolution", "satisfaction", "in_time", "tasks", "duty"}
    assert (
        client.get(f"/api/v1/estates/firms/{world.firm.pk}/evaluation", {"year": year + 1}).status_code == 404
    )
    # the community secretary may read it but not score it (the street's part)
    secretary = login(world.cast.secretary)
    page = secretary.get(reverse("estates:firm", args=[world.firm.pk])).content.decode()
    assert 'name="score"' not in page
    assert (
        secretary.post(
            reverse("estates:firm_score", args=[world.firm.pk]), {"year": year, "score": "10"}
        ).status_code
        == 404
    )
