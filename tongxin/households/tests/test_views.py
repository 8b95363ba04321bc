from datetime import date

import pytest
from django.urls import reverse

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.core.tests.listing import data_rows, login, sheet_rows
from tongxin.households.models import CareTag, Household
from tongxin.households.services import link_create
from tongxin.testing import make_person, make_user

pytestmark = pytest.mark.django_db


def detail(h):
    return reverse("households:detail", args=[h.pk])


def test_the_grid_worker_sees_the_grid_s_households_with_their_tags(world, worker):
    body = login(worker).get(reverse("households:list")).content.decode()
    assert "文昌路12号3单元502室" in body and "文昌路12号3单元501室" in body
    assert "Living alone" in body or "独居老人" in body
    assert "101室" not in body  # grid 1.2


def test_another_grid_s_worker_gets_404_everywhere(world, other_worker):
    client = login(other_worker)
    h = world.tagged
    for url in (
        detail(h),
        reverse("households:edit", args=[h.pk]),
        reverse("households:residence_add", args=[h.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("households:tags", args=[h.pk]), {"tags": []}).status_code == 404
    assert "502室" not in client.get(reverse("households:list")).content.decode()


def test_a_street_official_sees_households_but_never_tags(world, street):
    client = login(street)
    body = client.get(reverse("households:list")).content.decode()
    assert "502室" in body and "独居老人" not in body
    assert 'name="tag"' not in body
    body = client.get(detail(world.tagged)).content.decode()
    assert "502室" in body and "独居老人" not in body and 'id="care-tags"' not in body
    # a tag filter in the query string is ignored without the permission, it never narrows the list
    tag = CareTag.objects.get(code="living_alone", region__isnull=True)
    body = client.get(reverse("households:list"), {"tag": tag.pk}).content.decode()
    assert "501室" in body


def test_the_tag_filter_keeps_to_the_tag_scope(world, staff):
    tag = CareTag.objects.get(code="living_alone", region__isnull=True)
    body = login(staff).get(reverse("households:list"), {"tag": tag.pk}).content.decode()
    assert "502室" in body and "501室" not in body


def test_every_view_of_a_tagged_household_is_audited_without_personal_data(world, worker, street):
    for user in (worker, street):
        assert login(user).get(detail(world.tagged)).status_code == 200
    events = AuditEvent.objects.filter(action=Action.HOUSEHOLD_VIEWED, target=f"household:{world.tagged.pk}")
    assert events.count() == 2
    for event in events:
        assert event.detail == {}
        assert "502" not in event.target.replace(str(world.tagged.pk), "")
    login(worker).get(detail(world.plain))
    assert not AuditEvent.objects.filter(
        action=Action.HOUSEHOLD_VIEWED, target=f"household:{world.plain.pk}"
    ).exists()


def test_the_export_carries_tags_only_with_the_permission(world, worker, street):
    rows = data_rows(login(worker).get(reverse("households:export")))
    assert any("独居老人" in str(r) for r in rows)
    header = sheet_rows(login(street).get(reverse("households:export")))[0]
    rows = data_rows(login(street).get(reverse("households:export")))
    assert "Care tags" not in header
    assert len(rows) == 3 and not any("独居老人" in str(r) or "低保" in str(r) for r in rows)


def test_create_edit_and_tag_through_the_pages(world, worker):
    client = login(worker)
    response = client.post(
        reverse("households:create"),
        {"building": world.building.pk, "street": "文昌路", "house_number": "12", "unit": "3", "room": "601"},
    )
    assert response.status_code == 302
    h = Household.objects.get(room="601")
    tag = CareTag.objects.get(code="veteran", region__isnull=True)
    assert client.post(reverse("households:tags", args=[h.pk]), {"tags": [tag.pk]}).status_code == 302
    assert list(h.tags.values_list("tag__code", flat=True)) == ["veteran"]
    response = client.post(
        reverse("households:edit", args=[h.pk]),
        {
            "building": world.building.pk,
            "street": "文昌路",
            "house_number": "12",
            "unit": "3",
            "room": "602",
            "active": "on",
        },
    )
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.room == "602"


def test_a_grid_leader_sees_but_does_not_change(world):
    leader = make_user(Role.GRID_LEADER, world.tree.grids["1.1"])
    client = login(leader)
    assert client.get(detail(world.tagged)).status_code == 200
    assert client.get(reverse("households:edit", args=[world.tagged.pk])).status_code == 403


def test_care_tag_configuration_is_the_street_s_and_the_community_s(world, street, worker):
    client = login(street)
    body = client.get(reverse("households:care_tags")).content.decode()
    assert "独居老人" in body
    default = CareTag.objects.get(code="living_alone", region__isnull=True)
    url = reverse("households:care_tag_edit", args=[world.tree.street_a.pk, default.pk])
    response = client.post(
        url, {"name": "独居老人", "visit_interval_days": 5, "sort_order": 10, "active": "on"}
    )
    assert response.status_code == 302
    assert CareTag.objects.get(region=world.tree.street_a, code="living_alone").visit_interval_days == 5
    assert login(worker).get(reverse("households:care_tags")).status_code == 403
    other = make_user(Role.STREET_OFFICIAL, world.tree.street_b)
    assert login(other).get(url).status_code == 404


def test_links_pages_are_scoped(world, staff, other_worker):
    person = make_person(world.building, name="李联户")
    link = link_create(
        actor=staff,
        kind="ten_households",
        person=person,
        region=world.tree.grids["1.1"],
        starts_on=date(2026, 1, 1),
        households=[world.tagged, world.plain],
    )
    client = login(staff)
    assert "李联户" in client.get(reverse("households:links")).content.decode()
    assert "李联户" in client.get(detail(world.tagged)).content.decode()
    assert (
        "李联户" in client.get(reverse("regions:detail", args=[world.tree.grids["1.1"].pk])).content.decode()
    )
    assert "十联户" in client.get(reverse("people:detail", args=[person.pk])).content.decode()
    other = login(other_worker)
    assert other.get(reverse("households:link", args=[link.pk])).status_code == 404
    assert "李联户" not in other.get(reverse("households:links")).content.decode()
    assert (
        other.post(reverse("households:link_end", args=[link.pk]), {"ends_on": "2026-02-01"}).status_code
        == 404
    )


def test_a_link_is_made_through_the_page(world, staff):
    person = make_person(world.building, name="李联户")
    url = reverse("households:link_create") + f"?region={world.tree.grids['1.1'].pk}"
    assert login(staff).get(url).status_code == 200
    response = login(staff).post(
        url,
        {
            "kind": "ten_households",
            "person": person.pk,
            "households": [world.tagged.pk, world.plain.pk],
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
