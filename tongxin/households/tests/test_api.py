import pytest

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.core.tests.listing import api_items, login
from tongxin.households.models import Household
from tongxin.testing import make_person, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/households"


def test_the_list_carries_tags_only_where_the_caller_sees_them(world, worker, street):
    count, items = api_items(login(worker), URL)
    assert count == 2  # grid 1.1 only
    tags = {i["room"]: i["care_tags"] for i in items}
    assert tags == {"502": ["living_alone"], "501": []}
    count, items = api_items(login(street), URL)
    assert count == 3 and all(i["care_tags"] is None for i in items)


def test_a_tag_filter_needs_the_permission_and_keeps_to_its_scope(world, staff, street):
    assert login(street).get(URL, {"tag": "living_alone"}).status_code == 403
    count, items = api_items(login(staff), URL, tag="subsistence")
    assert count == 1 and items[0]["room"] == "101"


def test_another_grid_s_worker_gets_404(world, other_worker):
    client = login(other_worker)
    assert client.get(f"{URL}/{world.tagged.pk}").status_code == 404
    response = client.patch(f"{URL}/{world.tagged.pk}", {"note": "x"}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"]


def test_the_detail_is_audited_when_tagged(world, worker, street):
    body = login(worker).get(f"{URL}/{world.tagged.pk}").json()
    assert body["care_tags"] == ["living_alone"]
    body = login(street).get(f"{URL}/{world.tagged.pk}").json()
    assert body["care_tags"] is None
    assert (
        AuditEvent.objects.filter(
            action=Action.HOUSEHOLD_VIEWED, target=f"household:{world.tagged.pk}"
        ).count()
        == 2
    )


def test_create_and_patch_with_tags(world, worker, street):
    client = login(worker)
    response = client.post(
        URL,
        {
            "building": world.building.pk,
            "street": "文昌路",
            "house_number": "12",
            "unit": "2",
            "room": "301",
            "care_tags": ["veteran"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["address"].endswith("文昌路12号2单元301室") and body["care_tags"] == ["veteran"]
    h = Household.objects.get(pk=body["id"])
    response = client.patch(f"{URL}/{h.pk}", {"care_tags": ["nope"]}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"]
    response = login(street).patch(f"{URL}/{h.pk}", {"care_tags": []}, content_type="application/json")
    assert response.status_code == 403
    response = login(street).patch(
        f"{URL}/{h.pk}", {"note": "楼道堆物已清理"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["care_tags"] is None


def test_a_create_outside_the_scope_reads_as_no_such_building(world, other_worker):
    response = login(other_worker).post(
        URL, {"building": world.building.pk, "room": "9"}, content_type="application/json"
    )
    assert response.status_code == 400


def test_links_through_the_api(world, staff, other_worker):
    person = make_person(world.building, name="李联户")
    client = login(staff)
    response = client.post(
        f"{URL}/links",
        {
            "kind": "ten_households",
            "person": person.pk,
            "region": world.tree.grids["1.1"].pk,
            "households": [world.tagged.pk, world.plain.pk],
            "starts_on": "2026-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    link = response.json()
    assert link["household_ids"] == sorted([world.tagged.pk, world.plain.pk])
    count, _items = api_items(client, f"{URL}/links", household=world.tagged.pk)
    assert count == 1
    assert login(other_worker).get(f"{URL}/links/{link['id']}").status_code == 404
    count, _items = api_items(login(other_worker), f"{URL}/links")
    assert count == 0
    response = client.post(
        f"{URL}/links/{link['id']}/end", {"ends_on": "2026-06-30"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["ends_on"] == "2026-06-30"


def test_the_openapi_document_has_the_endpoints(world):
    user = make_user(Role.GRID_WORKER, world.tree.grids["1.1"])
    paths = login(user).get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/households" in paths and "/api/v1/households/links" in paths
