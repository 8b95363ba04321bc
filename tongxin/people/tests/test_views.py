"""People and position pages: scope, masking, the audited reveal, forms through services."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.people.models import Person, Position
from tongxin.people.services import position_create
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ID_CARD = "11010519491231002X"


def login(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def official(tree):
    return login(make_user(Role.STREET_OFFICIAL, tree.street_a))


@pytest.fixture
def leader(tree):
    """people.view but neither people.edit nor people.reveal."""
    return login(make_user(Role.GRID_LEADER, tree.community_a1))


@pytest.fixture
def resident(tree):
    return make_person(tree.building, name="孙居民", phone=PHONE, id_card=ID_CARD, address="滚绣坊1号")


# ---- list ----------------------------------------------------------------------------------------------


def test_list_masks_and_offers_reveal(tree, official, resident):
    response = official.get(reverse("people:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "孙居民" in body
    assert "138****5678" in body and PHONE not in body
    assert reverse("people:reveal", args=[resident.pk, "phone"]) in body
    assert "1 person" in body


def test_list_hides_reveal_without_capability(tree, leader, resident):
    body = leader.get(reverse("people:list")).content.decode()
    assert "138****5678" in body
    assert reverse("people:reveal", args=[resident.pk, "phone"]) not in body


def test_list_filters(tree, official, resident):
    branch = tree.orgs["grid_branch"]
    make_member(tree.grids["1.2"], branch, name="钱正式")
    make_member(tree.grids["2.1"], branch, full=False, name="周预备")
    make_person(tree.community_b1, name="吴外街")  # another street

    def names(**params):
        return {p.name for p in official.get(reverse("people:list"), params).context["page"]}

    assert names() == {"孙居民", "钱正式", "周预备"}
    assert names(node=tree.community_a1.pk) == {"孙居民", "钱正式"}
    assert names(node=tree.grids["1.1"].pk) == {"孙居民"}
    assert names(q="预备") == {"周预备"}
    assert names(party="member") == {"钱正式", "周预备"}
    assert names(party="none") == {"孙居民"}
    assert names(party="full") == {"钱正式"}
    assert names(party="probationary") == {"周预备"}
    assert names(branch=branch.pk) == {"钱正式", "周预备"}
    # another street's area is not a valid choice: the error shows, that filter is left out
    response = official.get(reverse("people:list"), {"node": tree.community_b1.pk, "q": "钱"})
    assert "node" in response.context["form"].errors
    assert {p.name for p in response.context["page"]} == {"钱正式"}


def test_list_paginates_with_total(tree, official):
    for i in range(53):
        make_person(tree.grids["2.2"], name=f"人{i:02d}")
    response = official.get(reverse("people:list"))
    assert len(response.context["page"]) == 50
    assert "53 people" in response.content.decode()
    assert len(official.get(reverse("people:list"), {"page": 2}).context["page"]) == 3


def test_list_query_count_does_not_grow(tree, official, django_assert_max_num_queries):
    url = reverse("people:list")
    params = {"node": tree.street_a.pk, "party": "member"}
    make_member(tree.building, tree.orgs["grid_branch"], phone=PHONE)
    official.get(url, params)
    with django_assert_max_num_queries(12):
        assert official.get(url, params).status_code == 200
    for i in range(30):
        make_member(tree.grids["1.2"], tree.orgs["grid_branch"], phone=f"1391234{i:04d}")
    with django_assert_max_num_queries(12):
        response = official.get(url, params)
    assert response.context["page"].paginator.count == 31


def test_list_anonymous_and_without_people_view(tree, client):
    assert client.get(reverse("people:list")).status_code == 302
    member = login(make_user(Role.MEMBER, tree.community_a1))
    assert member.get(reverse("people:list")).status_code == 403


# ---- detail --------------------------------------------------------------------------------------------


def test_detail(tree, official, resident):
    position_create(person=resident, kind="building_head", region=tree.building, starts_on=date(2024, 3, 1))
    position_create(
        person=resident,
        kind="grid_worker",
        region=tree.grids["1.1"],
        starts_on=date(2020, 1, 1),
        ends_on=date(2022, 1, 1),
    )
    response = official.get(reverse("people:detail", args=[resident.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "138****5678" in body and "1101**********002X" in body
    assert PHONE not in body and ID_CARD not in body
    assert "Building head" in body and "2024-03-01" in body
    assert body.count(">current<") == 1  # only the building head post is current
    assert reverse("people:edit", args=[resident.pk]) in body
    assert reverse("people:reveal", args=[resident.pk, "id_card"]) in body


def test_detail_scope(tree, official, leader):
    outsider = make_person(tree.community_b1)
    assert official.get(reverse("people:detail", args=[outsider.pk])).status_code == 404
    insider = make_person(tree.building)
    body = leader.get(reverse("people:detail", args=[insider.pk])).content.decode()
    assert reverse("people:edit", args=[insider.pk]) not in body


# ---- reveal --------------------------------------------------------------------------------------------


def _why(field, purpose="contact", note=""):
    return {f"reveal-{field}-purpose": purpose, f"reveal-{field}-note": note}


def test_reveal_is_audited_with_its_purpose(tree, official, resident):
    url = reverse("people:reveal", args=[resident.pk, "phone"])
    asked = official.get(url, HTTP_HX_REQUEST="true")  # the button first asks why
    assert asked.status_code == 200 and "reveal-phone-purpose" in asked.content.decode()
    assert PHONE not in asked.content.decode()
    response = official.post(url, _why("phone"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action=Action.REVEAL)
    assert event.outcome == "success" and event.target == f"person:{resident.pk}"
    assert event.detail == {"field": "phone", "purpose": "contact", "note": ""}
    response = official.post(
        reverse("people:reveal", args=[resident.pk, "id_card"]), _why("id_card", "other", "核对低保申请")
    )
    assert ID_CARD in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.REVEAL, outcome="success").count() == 2
    assert AuditEvent.objects.latest("id").detail["note"] == "核对低保申请"


def test_reveal_without_a_purpose_shows_nothing(tree, official, resident):
    url = reverse("people:reveal", args=[resident.pk, "phone"])
    for data in ({}, _why("phone", "fun"), _why("phone", "other", "  ")):
        response = official.post(url, data)
        assert response.status_code == 400 and PHONE not in response.content.decode()
    # htmx gets the form back with its error in place
    response = official.post(url, _why("phone", "other"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and PHONE not in response.content.decode()
    assert "errorlist" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()


def test_reveal_denied_without_capability(tree, leader, resident):
    response = leader.post(reverse("people:reveal", args=[resident.pk, "phone"]), _why("phone"))
    assert response.status_code == 403
    assert PHONE not in response.content.decode()
    assert leader.get(reverse("people:reveal", args=[resident.pk, "phone"])).status_code == 403
    assert AuditEvent.objects.filter(action=Action.REVEAL, outcome="success").count() == 0
    assert AuditEvent.objects.filter(action=Action.REVEAL, outcome="denied").count() == 1


def test_reveal_method_field_and_scope(tree, official, resident):
    assert official.put(reverse("people:reveal", args=[resident.pk, "phone"])).status_code == 405
    assert (
        official.post(reverse("people:reveal", args=[resident.pk, "address"]), _why("address")).status_code
        == 404
    )
    outsider = make_person(tree.community_b1, phone=PHONE[:-1] + "9")
    assert (
        official.post(reverse("people:reveal", args=[outsider.pk, "phone"]), _why("phone")).status_code == 404
    )
    assert official.get(reverse("people:reveal", args=[outsider.pk, "phone"])).status_code == 404
    assert Client().post(reverse("people:reveal", args=[resident.pk, "phone"])).status_code == 302
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()


# ---- create and edit -----------------------------------------------------------------------------------


def _person_data(region, **extra):
    data = {
        "name": "郑新人",
        "gender": "F",
        "region": region.pk,
        "phone": "",
        "id_card": "",
        "party_status": "",
    }
    data.update(extra)
    return data


def test_create(tree, official):
    url = f"{reverse('people:create')}?region={tree.building.pk}"
    page = official.get(url)
    assert page.status_code == 200 and page.context["form"]["region"].value() == tree.building.pk
    response = official.post(
        url,
        _person_data(
            tree.building,
            phone=PHONE,
            id_card=ID_CARD.lower(),
            party_status="full",
            party_joined_on="2015-07-01",
            party_full_on="2016-07-01",
            branch=tree.orgs["grid_branch"].pk,
        ),
    )
    person = Person.objects.get(name="郑新人")
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    assert person.reveal_phone() == PHONE and person.reveal_id_card() == ID_CARD
    assert PHONE not in person.phone_encrypted
    assert person.branch == tree.orgs["grid_branch"]


def test_create_bad_input_writes_nothing(tree, official, resident):
    url = reverse("people:create")
    response = official.post(
        url,
        _person_data(tree.building, phone="12345", id_card=ID_CARD, party_status="full"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    # the service's checks: bad phone, ID card already on record, no joining date
    assert {"phone", "id_card", "party_joined_on"} <= set(errors)
    assert "Enter an 11-digit mobile number" in response.content.decode()
    # a committee is not a branch: not offered, not accepted
    response = official.post(
        url, _person_data(tree.building, party_status="full", branch=tree.orgs["community"].pk)
    )
    assert "branch" in response.context["form"].errors
    response = official.post(url, _person_data(tree.community_b1))  # another street: not a valid choice
    assert "region" in response.context["form"].errors
    assert not Person.objects.filter(name="郑新人").exists()


def test_create_permissions(tree, official, leader):
    assert leader.get(reverse("people:create")).status_code == 403
    assert leader.post(reverse("people:create"), _person_data(tree.building)).status_code == 403
    assert official.get(f"{reverse('people:create')}?region={tree.community_b1.pk}").status_code == 404
    assert official.put(reverse("people:create")).status_code == 405
    assert not Person.objects.filter(name="郑新人").exists()


def test_edit_keeps_numbers_when_left_empty(tree, official, resident):
    url = reverse("people:edit", args=[resident.pk])
    page = official.get(url)
    body = page.content.decode()
    assert PHONE not in body and "138****5678" in body  # the form never shows the number
    response = official.post(url, _person_data(tree.building, name="孙居民改", address="新地址"))
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.name == "孙居民改" and resident.address == "新地址"
    assert resident.reveal_phone() == PHONE and resident.reveal_id_card() == ID_CARD
    official.post(url, _person_data(tree.building, name="孙居民改", phone="13900001111"))
    resident.refresh_from_db()
    assert resident.reveal_phone() == "13900001111" and resident.reveal_id_card() == ID_CARD


def test_edit_bad_input_and_permissions(tree, official, leader, resident):
    url = reverse("people:edit", args=[resident.pk])
    response = official.post(url, _person_data(tree.building, name=""))
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    response = official.post(url, _person_data(tree.building, birth_date="2999-01-01"))
    assert "birth_date" in response.context["form"].errors
    resident.refresh_from_db()
    assert resident.name == "孙居民"
    assert leader.get(url).status_code == 403
    outsider = make_person(tree.community_b1)
    assert official.get(reverse("people:edit", args=[outsider.pk])).status_code == 404


# ---- positions -----------------------------------------------------------------------------------------


def test_position_create_edit_end(tree, official, resident):
    url = reverse("people:position_create", args=[resident.pk])
    assert official.get(url).status_code == 200
    response = official.post(
        url, {"kind": "grid_worker", "region": tree.grids["1.1"].pk, "starts_on": "2024-01-01"}
    )
    assert response.status_code == 302
    position = Position.objects.get(person=resident)
    assert position.kind == "grid_worker" and position.ends_on is None

    edit = reverse("people:position_edit", args=[position.pk])
    response = official.post(
        edit, {"kind": "grid_leader", "region": tree.grids["1.1"].pk, "starts_on": "2024-02-01"}
    )
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.kind == "grid_leader" and position.starts_on == date(2024, 2, 1)

    end = reverse("people:position_end", args=[position.pk])
    assert official.get(end).status_code == 405
    response = official.post(end, {"ends_on": "2023-01-01"})  # before the start
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.ends_on is None
    official.post(end, {"ends_on": "not a date"})
    position.refresh_from_db()
    assert position.ends_on is None
    official.post(end, {"ends_on": "2025-06-30"})
    position.refresh_from_db()
    assert position.ends_on == date(2025, 6, 30)


def test_position_bad_input(tree, official, resident):
    url = reverse("people:position_create", args=[resident.pk])
    # a grid worker serves a grid, not a building; a secretary needs an organisation
    response = official.post(
        url, {"kind": "grid_worker", "region": tree.building.pk, "starts_on": "2024-01-01"}
    )
    assert response.status_code == 200 and "region" in response.context["form"].errors
    response = official.post(
        url, {"kind": "secretary", "region": tree.building.pk, "starts_on": "2024-01-01"}
    )
    assert "organisation" in response.context["form"].errors
    response = official.post(url, {"kind": "grid_worker", "region": tree.grids["1.1"].pk, "starts_on": ""})
    assert "starts_on" in response.context["form"].errors
    assert not Position.objects.exists()


def test_position_with_organisation(tree, official, resident):
    url = reverse("people:position_create", args=[resident.pk])
    branch = tree.orgs["grid_branch"]
    response = official.post(url, {"kind": "secretary", "organisation": branch.pk, "starts_on": "2024-01-01"})
    assert response.status_code == 302
    assert Position.objects.get(person=resident).region == branch.region


def test_position_permissions(tree, official, leader, resident):
    position = position_create(
        person=resident, kind="building_head", region=tree.building, starts_on=date(2024, 1, 1)
    )
    assert leader.get(reverse("people:position_create", args=[resident.pk])).status_code == 403
    assert leader.get(reverse("people:position_edit", args=[position.pk])).status_code == 403
    assert (
        leader.post(reverse("people:position_end", args=[position.pk]), {"ends_on": "2025-01-01"}).status_code
        == 403
    )
    outsider = make_person(tree.community_b1)
    other = position_create(
        person=outsider, kind="residents_director", region=tree.community_b1, starts_on=date(2024, 1, 1)
    )
    assert official.get(reverse("people:position_create", args=[outsider.pk])).status_code == 404
    assert official.get(reverse("people:position_edit", args=[other.pk])).status_code == 404
    assert (
        official.post(reverse("people:position_end", args=[other.pk]), {"ends_on": "2025-01-01"}).status_code
        == 404
    )
    # a position in street B cannot be given to street A's resident
    response = official.post(
        reverse("people:position_create", args=[resident.pk]),
        {"kind": "residents_director", "region": tree.community_b1.pk, "starts_on": "2024-01-01"},
    )
    assert "region" in response.context["form"].errors
    position.refresh_from_db()
    assert position.ends_on is None
