"""The collective-economy forms: a village's projects (with returns by year) and companies through the
services, a new version of the tiers by the county department; scope of each (another township's
official gets 404, a role without the capability 403)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.regions.models import Kind, Region
from tongxin.testing import make_user
from tongxin.villages import selectors
from tongxin.villages.models import EconomyProject, Enterprise, TierScheme
from tongxin.villages.services import enterprise_create, project_create

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def village(tree):
    Region.objects.filter(pk=tree.community_a1.pk).update(kind=Kind.VILLAGE)
    tree.community_a1.refresh_from_db()
    return tree


def test_projects_and_returns(client, village):
    client.force_login(make_user(Role.STREET_OFFICIAL, village.street_a))
    v = village.community_a1
    fields = {
        "name": "光伏发电",
        "kind": "resources",
        "investment": "120.50",
        "year": YEAR,
        "status": "operating",
    }
    assert client.post(f"/villages/{v.pk}/projects/new/", fields).status_code == 302
    project = EconomyProject.objects.get(region=v)
    assert project.investment == Decimal("120.50")
    # a name taken in the village is an error on the form
    assert client.post(f"/villages/{v.pk}/projects/new/", fields).status_code == 200
    edit = {"name": "光伏发电一期", "investment": "130", "status": "closed"}
    assert client.post(f"/villages/projects/{project.pk}/", edit).status_code == 302
    project.refresh_from_db()
    assert (project.name, project.status) == ("光伏发电一期", "closed")
    client.post(f"/villages/projects/{project.pk}/returns/", {"year": YEAR, "amount": "9.60"})
    client.post(f"/villages/projects/{project.pk}/returns/", {"year": YEAR, "amount": "10.40"})
    assert [(r.year, r.amount) for r in project.returns.all()] == [(YEAR, Decimal("10.40"))]
    page = client.get(f"/villages/projects/{project.pk}/").content.decode()
    assert "10.40" in page


def test_enterprises(client, village):
    client.force_login(make_user(Role.STREET_OFFICIAL, village.street_a))
    v = village.community_a1
    fields = {"name": "集体经济发展有限公司", "kind": "company", "registered_capital": "200"}
    assert client.post(f"/villages/{v.pk}/enterprises/new/", fields).status_code == 302
    e = Enterprise.objects.get(region=v)
    edit = {"name": e.name, "kind": "cooperative", "registered_capital": "210.00", "founded_on": ""}
    assert client.post(f"/villages/enterprises/{e.pk}/", edit).status_code == 302
    e.refresh_from_db()
    assert (e.kind, e.registered_capital, e.active) == ("cooperative", Decimal("210.00"), False)


def test_forms_are_scoped(client, village):
    v = village.community_a1
    project = project_create(
        actor=SYSTEM, region=v, name="民宿", kind="other", investment="10", year=YEAR, status="planned"
    )
    enterprise = enterprise_create(actor=SYSTEM, region=v, name="合作社", kind="cooperative")
    urls = [
        f"/villages/{v.pk}/projects/new/",
        f"/villages/{v.pk}/enterprises/new/",
        f"/villages/projects/{project.pk}/",
        f"/villages/enterprises/{enterprise.pk}/",
    ]
    client.force_login(make_user(Role.STREET_OFFICIAL, village.street_b))
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(f"/villages/projects/{project.pk}/returns/", {"year": YEAR, "amount": "1"})
    assert response.status_code == 404 and not project.returns.exists()
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, v))
    for url in urls:
        assert client.get(url).status_code == 403, url
    # the secretary sees the village's page, without the buttons
    page = client.get(f"/villages/{v.pk}/").content.decode()
    assert "民宿" in page and f"/villages/projects/{project.pk}/" not in page


def test_a_new_version_of_the_tiers(client, village):
    client.force_login(make_user(Role.STREET_OFFICIAL, village.street_a))
    assert client.get("/villages/tiers/").status_code == 200
    assert client.get("/villages/tiers/new/").status_code == 403
    client.force_login(make_user(Role.COUNTY_ORG, village.county))
    form = client.get("/villages/tiers/new/")
    assert form.status_code == 200 and "100万元以上" in form.content.decode()
    fields = {
        "year_from": YEAR + 1,
        "source": "三年行动计划",
        "name_1": "200万元以上",
        "min_1": "200",
        "name_2": "20万—200万元",
        "min_2": "20",
        "name_3": "20万元以下",
        "min_3": "0",
        "weak_3": "on",
    }
    # a row with a name and no threshold is refused
    assert client.post("/villages/tiers/new/", {**fields, "name_4": "空"}).status_code == 200
    assert client.post("/villages/tiers/new/", fields).status_code == 302
    scheme = TierScheme.objects.get(year_from=YEAR + 1)
    assert [(t.name, t.weak) for t in scheme.tiers.all()] == [
        ("200万元以上", False),
        ("20万—200万元", False),
        ("20万元以下", True),
    ]
    # this year keeps the version in force; next year uses the new one
    assert selectors.tiers_for(YEAR)[0].name == "100万元以上"
    assert selectors.tiers_for(YEAR + 1)[0].name == "200万元以上"
