"""Scope: an official gets figures, rows, maps and ledgers only for nodes in their subtree."""

import pytest
from django.test import Client

from tongxin.accounts.models import User
from tongxin.regions.models import Level, Region
from tongxin.statistics import selectors
from tongxin.statistics.registry import REGISTRY

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("statistics-district")]


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _street_of(user: User) -> Region:
    roots = selectors.node_roots(user)
    assert roots
    return roots[0]


def test_street_official_reaches_own_street_only(district):
    official = User.objects.get(username="jiedao")
    own = _street_of(official)
    assert own.level == Level.STREET
    other = Region.objects.filter(level=Level.STREET).exclude(pk=own.pk).first()
    client = _client("jiedao")
    assert client.get(f"/statistics/?node={own.pk}").status_code == 200
    assert client.get(f"/statistics/?node={other.pk}").status_code == 404
    assert client.get(f"/statistics/map.json?node={other.pk}").status_code == 404
    assert client.get(f"/statistics/ledger.xlsx?node={other.pk}").status_code == 404
    assert client.get(f"/api/v1/statistics/values?node={other.pk}").status_code == 404
    assert client.get(f"/api/v1/statistics/children?node={other.pk}").status_code == 404
    # the city above the street is out of reach too
    city = Region.objects.get(level=Level.CITY)
    assert client.get(f"/statistics/?node={city.pk}").status_code == 404
    for code in REGISTRY:
        assert client.get(f"/statistics/rows/{code}/?node={other.pk}").status_code == 404, code
        assert client.get(f"/api/v1/statistics/rows/{code}?node={other.pk}").status_code == 404, code
        assert client.get(f"/statistics/rows/{code}/?node={own.pk}").status_code == 200, code


def test_community_secretary_sees_only_the_community(district):
    secretary = User.objects.get(username="shequ_shuji")
    own = _street_of(secretary)
    assert own.level == Level.COMMUNITY
    street = Region.objects.get(pk=own.parent_id)
    client = _client("shequ_shuji")
    assert client.get("/statistics/").status_code == 200
    assert client.get(f"/statistics/?node={street.pk}").status_code == 404
    sibling = Region.objects.filter(parent=street, level=Level.COMMUNITY).exclude(pk=own.pk).first()
    assert client.get(f"/api/v1/statistics/values?node={sibling.pk}").status_code == 404
    grid = Region.objects.filter(parent=own, level=Level.GRID).first()
    assert client.get(f"/statistics/?node={grid.pk}").status_code == 200


def test_roles_without_figures_are_refused(district):
    client = _client("wanggeyuan")  # a grid worker
    assert client.get("/statistics/").status_code == 403
    assert client.get("/api/v1/statistics/values").status_code == 403


def test_api_values_equal_the_page_rows(district):
    client = _client("jiedao")
    own = _street_of(User.objects.get(username="jiedao"))
    data = client.get(f"/api/v1/statistics/values?node={own.pk}").json()
    by_code = {v["code"]: v for v in data["values"]}
    received = by_code["cases.received"]["value"]
    listed = client.get(f"/api/v1/statistics/rows/cases.received?node={own.pk}&limit=1").json()
    assert listed["count"] == received
    assert received > 0


def test_bad_period_in_the_api_is_a_json_error(district):
    client = _client("jiedao")
    response = client.get("/api/v1/statistics/values?since=2026-05-01&until=2026-01-01")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_period"
    response = client.get("/api/v1/statistics/values?year=10000")
    assert response.status_code == 422


def test_map_of_the_children_is_json_with_every_child(district):
    client = _client("jiedao")
    own = _street_of(User.objects.get(username="jiedao"))
    for colour in ("cases.received", "cases.resolution_rate", "members.reported"):
        response = client.get(f"/statistics/map.json?node={own.pk}&colour={colour}")
        assert response.status_code == 200, response.content[:500]
        data = response.json()
        assert (
            len(data["features"]) == Region.objects.filter(parent=own).exclude(level=Level.BUILDING).count()
        )


def test_targets_give_done_target_and_share(district):
    """The demo's street enters the members expected to report; the overview shows the share."""
    from decimal import Decimal

    from tongxin.statistics.periods import year

    official = User.objects.get(username="jiedao")
    street = _street_of(official)
    this_year = year(__import__("django.utils.timezone", fromlist=["localdate"]).localdate().year)
    (figure,) = selectors.figures(official, street, this_year, codes=["members.reported"])
    assert figure.target and figure.target > 0
    assert figure.share == (Decimal(figure.number) / figure.target).quantize(Decimal("0.0001"))
    page = _client("jiedao").get(f"/statistics/?node={street.pk}")
    assert "target" in page.content.decode()


def test_failures_are_clear_4xx_never_500(district):
    anonymous = Client()
    assert anonymous.get("/statistics/").status_code == 302
    assert anonymous.get("/api/v1/statistics/values").status_code == 401
    client = _client("jiedao")
    own = _street_of(User.objects.get(username="jiedao"))
    assert client.post("/statistics/").status_code == 405
    assert client.post("/statistics/rows/cases.received/").status_code == 405
    assert client.get("/statistics/rows/no.such.figure/").status_code == 404
    assert client.get("/statistics/?node=abc").status_code == 404
    assert client.get(f"/statistics/map.json?node={own.pk}&colour=no.such").status_code == 404
    page = client.get(f"/statistics/?node={own.pk}&period=month&year=10000")
    assert page.status_code == 200 and page.context["error"]
    for url in [
        f"/api/v1/statistics/values?node={2**63}",
        "/api/v1/statistics/values?year=1999",
        "/api/v1/statistics/values?period=week",
        "/api/v1/statistics/rows/cases.received?offset=-1",
        "/api/v1/statistics/rows/cases.received?limit=100000",
        "/api/v1/statistics/values?until=9999-12-31",
    ]:
        response = client.get(url)
        assert response.status_code == 422, (url, response.status_code)
        assert response.json()["code"]
    # targets: a figure that takes none, a negative value, another street
    other = Region.objects.filter(level=Level.STREET).exclude(pk=own.pk).first()
    bad = client.put(
        "/api/v1/statistics/targets",
        {"indicator": "cases.received", "node": own.pk, "year": 2026, "value": 5},
        content_type="application/json",
    )
    assert bad.status_code == 400
    outside = client.put(
        "/api/v1/statistics/targets",
        {"indicator": "members.reported", "node": other.pk, "year": 2026, "value": 5},
        content_type="application/json",
    )
    assert outside.status_code == 404
    assert client.post("/statistics/targets/", {"node": other.pk}).status_code == 404
