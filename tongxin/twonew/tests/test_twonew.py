"""两新 organisations: scope of every page and endpoint (another township's official gets 404, a
village secretary sees only their village's), the edit forms through the services (facts, posts and
their members, rectification items), and the registry's figures equal to their rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tongxin.audit.models import AuditEvent
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.partners.models import UnitKind
from tongxin.partners.services import unit_create
from tongxin.regions.models import Kind, Region
from tongxin.statistics import selectors as figures
from tongxin.statistics.periods import year as year_period
from tongxin.statistics.registry import REGISTRY
from tongxin.testing import make_person, make_user
from tongxin.twonew.models import NewOrganisation, Post, RectificationItem, Standing
from tongxin.twonew.services import new_organisation_create, post_create, rectification_add

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NEW = UnitKind.NEW_ORGANISATION


@pytest.fixture
def orgs(tree):
    Region.objects.filter(pk=tree.community_a1.pk).update(kind=Kind.VILLAGE)
    tree.community_a1.refresh_from_db()
    street_unit = unit_create(name="同心物流有限公司", kind=NEW, region=tree.street_a, actor=SYSTEM)
    village_unit = unit_create(name="青禾农业合作社", kind=NEW, region=tree.community_a1, actor=SYSTEM)
    tree.instructor = make_person(
        tree.community_a1, name="李指导", party_status="full", party_joined_on=TODAY - timedelta(days=900)
    )
    tree.street_org = new_organisation_create(
        actor=SYSTEM,
        unit=street_unit,
        has_party_organisation=True,
        party_since=TODAY - timedelta(days=400),
        charter=True,
        cross_appointment=True,
        instructor=tree.instructor,
        standing=Standing.WEAK,
    )
    tree.village_org = new_organisation_create(actor=SYSTEM, unit=village_unit, charter=True)
    tree.item = rectification_add(
        actor=SYSTEM, organisation=tree.street_org, text="组织生活不经常", deadline=TODAY + timedelta(days=30)
    )
    tree.post = post_create(actor=SYSTEM, organisation=tree.street_org, kind="model", name="物流示范岗")
    return tree


def _ids(client):
    body = client.get("/api/v1/twonew/organisations").json()
    return {item["id"] for item in body["items"]}


def test_another_townships_official_gets_404(client, orgs):
    client.force_login(make_user(Role.STREET_OFFICIAL, orgs.street_b))
    assert _ids(client) == set()
    assert client.get(f"/api/v1/twonew/organisations/{orgs.street_org.pk}").status_code == 404
    for url in (
        f"/twonew/{orgs.street_org.pk}/",
        f"/twonew/{orgs.street_org.pk}/edit/",
        f"/twonew/{orgs.street_org.pk}/posts/new/",
        f"/twonew/{orgs.street_org.pk}/posts/{orgs.post.pk}/",
        f"/twonew/{orgs.street_org.pk}/items/new/",
        f"/twonew/{orgs.street_org.pk}/items/{orgs.item.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/twonew/{orgs.street_org.pk}/items/{orgs.item.pk}/done/")
    assert response.status_code == 404
    assert RectificationItem.objects.get(pk=orgs.item.pk).done_on is None


def test_a_village_secretary_sees_only_their_villages(client, orgs):
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, orgs.community_a1))
    assert _ids(client) == {orgs.village_org.pk}
    assert client.get(f"/api/v1/twonew/organisations/{orgs.village_org.pk}").status_code == 200
    assert client.get(f"/api/v1/twonew/organisations/{orgs.street_org.pk}").status_code == 404
    assert client.get(f"/twonew/{orgs.street_org.pk}/").status_code == 404
    page = client.get("/twonew/").content.decode()
    assert "青禾农业合作社" in page and "同心物流有限公司" not in page
    # the secretary sees but does not keep the facts
    assert client.get(f"/twonew/{orgs.village_org.pk}/edit/").status_code == 403


def test_the_township_official_sees_both(client, orgs):
    client.force_login(make_user(Role.STREET_OFFICIAL, orgs.street_a))
    assert _ids(client) == {orgs.street_org.pk, orgs.village_org.pk}
    body = client.get(f"/api/v1/twonew/organisations/{orgs.street_org.pk}").json()
    assert body["rectification_items"] == 1 and body["rectification_done"] == 0
    assert body["instructor"] == "李指导"


def test_the_forms_write_through_the_services(client, orgs):
    client.force_login(make_user(Role.STREET_OFFICIAL, orgs.street_a))
    org = orgs.street_org
    response = client.post(
        f"/twonew/{org.pk}/edit/",
        {
            "has_party_organisation": "on",
            "party_since": str(TODAY - timedelta(days=100)),
            "charter": "on",
            "instructor": "",
            "standing": Standing.DEMONSTRATION,
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.standing == Standing.DEMONSTRATION and org.instructor is None and not org.cross_appointment
    # a post and its members
    response = client.post(f"/twonew/{org.pk}/posts/new/", {"kind": "vanguard", "name": "骑手先锋岗"})
    post = Post.objects.get(name="骑手先锋岗")
    assert response.status_code == 302
    member = make_person(
        orgs.community_a1, name="王先锋", party_status="full", party_joined_on=TODAY - timedelta(days=900)
    )
    assert client.post(f"/twonew/{org.pk}/posts/{post.pk}/members/", {"person": member.pk}).status_code == 302
    assert list(post.members.all()) == [member]
    page = client.get(f"/twonew/{org.pk}/posts/{post.pk}/").content.decode()
    assert "王先锋" in page
    client.post(f"/twonew/{org.pk}/posts/{post.pk}/members/{member.pk}/remove/")
    assert not post.members.exists()
    # an item added, then done
    deadline = TODAY + timedelta(days=10)
    response = client.post(
        f"/twonew/{org.pk}/items/new/", {"text": "建立三会一课台账", "deadline": str(deadline)}
    )
    assert response.status_code == 302
    item = RectificationItem.objects.get(text="建立三会一课台账")
    response = client.post(
        f"/twonew/{org.pk}/items/{item.pk}/",
        {"text": item.text, "deadline": str(deadline), "done_on": str(TODAY)},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_on == TODAY
    # a date in the future is refused on the form
    response = client.post(
        f"/twonew/{org.pk}/items/{item.pk}/",
        {"text": item.text, "deadline": str(deadline), "done_on": str(TODAY + timedelta(days=3))},
    )
    assert response.status_code == 200 and "done_on" in response.context["form"].errors
    assert AuditEvent.objects.filter(target__startswith="twonewpost:").count() >= 3


def test_recording_a_units_facts(client, orgs):
    client.force_login(make_user(Role.STREET_OFFICIAL, orgs.street_a))
    unit = unit_create(name="启航社工服务社", kind=NEW, region=orgs.street_a, actor=SYSTEM)
    page = client.get("/twonew/new/").content.decode()
    assert "启航社工服务社" in page and "同心物流有限公司" not in page
    response = client.post("/twonew/new/", {"unit": unit.pk, "standing": Standing.ORDINARY, "charter": "on"})
    assert response.status_code == 302
    assert NewOrganisation.objects.get(unit=unit).charter
    # a unit of another township is not offered and cannot be posted
    other = unit_create(name="平江物业", kind=NEW, region=orgs.street_b, actor=SYSTEM)
    response = client.post("/twonew/new/", {"unit": other.pk, "standing": Standing.ORDINARY})
    assert response.status_code == 200 and not NewOrganisation.objects.filter(unit=other).exists()


def test_figures_equal_their_rows(orgs):
    codes = [c for c in REGISTRY if c.startswith("twonew.")]
    values = figures.compute(orgs.street_a, year_period(TODAY.year), [REGISTRY[c] for c in codes])
    assert values["twonew.organisations"] == 2
    assert values["twonew.with_party_organisation"] == 1
    assert values["twonew.party_organisation_share"] == Decimal("0.5000")
    assert values["twonew.charter"] == 2
    assert values["twonew.cross_appointment"] == 1
    assert values["twonew.instructors"] == 1
    assert values["twonew.weak"] == 1
    assert values["twonew.rectification_items"] == 1
    assert values["twonew.rectification_open"] == 1
    assert values["twonew.rectification_done"] == 0
    assert values["twonew.posts"] == {"model": 1}
    rows = figures.rows_of(REGISTRY["twonew.instructors"], orgs.street_a, year_period(TODAY.year))
    assert [r.pk for r in rows] == [orgs.street_org.pk]
    # the village holds only its own organisation
    village = figures.compute(orgs.community_a1, year_period(TODAY.year), [REGISTRY["twonew.organisations"]])
    assert village["twonew.organisations"] == 1
