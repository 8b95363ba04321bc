from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.households import selectors, services
from tongxin.households.models import CareTag, HouseholdTag, LinkKind, Relation
from tongxin.testing import make_person, make_user

pytestmark = pytest.mark.django_db


def test_a_household_takes_its_grid_community_path_and_address_from_the_building(world):
    h = world.tagged
    assert h.grid == world.tree.grids["1.1"]
    assert h.community == world.tree.community_a1
    assert h.region_path == world.building.path
    assert h.short_address == "文昌路12号3单元502室"
    assert h.address == "姑苏区双塔街道滚绣坊社区文昌路12号3单元502室"


def test_the_same_dwelling_twice_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.household_create(
            actor=SYSTEM, building=world.building, street="文昌路", house_number="12", unit="3", room="502"
        )
    assert "room" in exc.value.message_dict


def test_only_a_building_holds_households(world):
    with pytest.raises(ValidationError):
        services.household_create(actor=SYSTEM, building=world.tree.grids["1.1"], room="1")


def test_a_worker_of_another_grid_may_not_add_or_change(world, other_worker):
    with pytest.raises(PermissionDenied):
        services.household_create(actor=other_worker, building=world.building, room="999")
    with pytest.raises(PermissionDenied):
        services.household_update(household=world.plain, actor=other_worker, note="x")


def test_an_update_is_audited_and_moves_the_household(world, staff):
    services.household_update(household=world.plain, actor=staff, building=world.other_building)
    world.plain.refresh_from_db()
    assert world.plain.grid == world.tree.grids["1.2"]
    assert world.plain.region_path == world.other_building.path
    event = AuditEvent.objects.filter(
        action=Action.RECORD_CHANGED, target=f"household:{world.plain.pk}"
    ).get()
    assert "building" in event.detail["changes"]


def test_tags_are_set_by_someone_who_sees_them_and_the_audit_row_counts(world, worker, street):
    tag = CareTag.objects.get(code="disability", region__isnull=True)
    with pytest.raises(PermissionDenied):
        services.household_set_tags(household=world.plain, actor=street, tags=[tag])
    assert services.household_set_tags(household=world.plain, actor=worker, tags=[tag]) == (1, 0)
    event = AuditEvent.objects.filter(target=f"household:{world.plain.pk}").latest("at")
    assert event.detail == {"model": "households.HouseholdTag", "added": 1, "removed": 0}
    assert "残疾" not in str(event.detail)
    assert services.household_set_tags(household=world.plain, actor=worker, tags=[]) == (0, 1)
    assert not HouseholdTag.objects.filter(household=world.plain).exists()


def test_a_community_overrides_a_default_and_the_override_is_in_force_below_it(world):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.tree.community_a1)
    default = CareTag.objects.get(code="living_alone", region__isnull=True)
    services.care_tag_override(
        actor=secretary, region=world.tree.community_a1, tag=default, visit_interval_days=3, name="独居老人"
    )
    here = {t.code: t for t in selectors.care_tags_in_force(world.tree.grids["1.1"])}
    there = {t.code: t for t in selectors.care_tags_in_force(world.tree.community_a2)}
    assert here["living_alone"].visit_interval_days == 3
    assert there["living_alone"].visit_interval_days == 7
    hidden = services.care_tag_override(
        actor=secretary, region=world.tree.community_a1, tag=here["veteran"], active=False
    )
    assert hidden.code not in {t.code for t in selectors.care_tags_in_force(world.tree.community_a1)}
    with pytest.raises(PermissionDenied):
        services.care_tag_override(actor=secretary, region=world.tree.community_a2, tag=default, active=False)


def test_residents_come_and_go(world, worker):
    person = make_person(world.building, name="张桂英")
    residence = services.residence_add(
        household=world.tagged,
        person=person,
        actor=worker,
        relation=Relation.HEAD,
        moved_in_on=date(2010, 1, 1),
    )
    with pytest.raises(ValidationError):
        services.residence_add(household=world.tagged, person=person, actor=worker)
    services.residence_end(residence=residence, actor=worker, moved_out_on=date(2026, 1, 1))
    assert list(selectors.residents(world.tagged)) == []
    assert list(selectors.residents(world.tagged, past=True)) == [residence]


def test_links_check_their_kind(world, staff):
    leader = make_person(world.building, name="李联户")
    start = date(2026, 1, 1)
    with pytest.raises(ValidationError) as exc:
        services.link_create(
            actor=staff,
            kind=LinkKind.TEN_HOUSEHOLDS,
            person=leader,
            region=world.tree.grids["1.1"],
            starts_on=start,
        )
    assert "households" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a household outside the grid the link is kept at
        services.link_create(
            actor=staff,
            kind=LinkKind.TEN_HOUSEHOLDS,
            person=leader,
            region=world.tree.grids["1.1"],
            starts_on=start,
            households=[world.elsewhere],
        )
    link = services.link_create(
        actor=staff,
        kind=LinkKind.TEN_HOUSEHOLDS,
        person=leader,
        region=world.tree.grids["1.1"],
        starts_on=start,
        households=[world.tagged, world.plain],
    )
    assert selectors.households_covered(staff, world.tree.community_a1) == 2
    services.link_end(link=link, actor=staff, ends_on=date(2026, 2, 1))
    assert selectors.households_covered(staff, world.tree.community_a1, on=date(2026, 3, 1)) == 0
    with pytest.raises(ValidationError):
        services.link_end(link=link, actor=staff, ends_on=date(2025, 1, 1))


def test_a_one_plus_one_link_pairs_two_people_on_grids(world, staff):
    worker_person = make_person(world.building, name="王网格")
    member = make_person(world.building, name="赵党员")
    with pytest.raises(ValidationError):
        services.link_create(
            actor=staff,
            kind=LinkKind.PAIRED_WORKERS,
            person=worker_person,
            region=world.tree.grids["1.1"],
            starts_on=date(2026, 1, 1),
            grids=[world.tree.grids["1.1"]],
        )
    link = services.link_create(
        actor=staff,
        kind=LinkKind.PAIRED_WORKERS,
        person=worker_person,
        partner=member,
        region=world.tree.grids["1.1"],
        starts_on=date(2026, 1, 1),
        grids=[world.tree.grids["1.1"]],
    )
    assert list(selectors.links_of_person(staff, member)) == [link]
    assert list(selectors.links_of_grid(staff, world.tree.grids["1.1"])) == [link]
