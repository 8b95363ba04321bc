"""Party-organisation pages: scope, permissions, rule warnings, create/edit/move through services."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.core.roles import Role
from tongxin.organisations.models import OrgKind, PartyOrganisation
from tongxin.organisations.services import organisation_create
from tongxin.people.services import position_create
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


def login(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def official(tree):
    return login(make_user(Role.STREET_OFFICIAL, tree.street_a))


@pytest.fixture
def leader(tree):
    return login(make_user(Role.GRID_LEADER, tree.community_a1))


@pytest.fixture
def branch_b(tree):
    """A branch in street B, outside street A's scope."""
    return organisation_create(
        name="平江路社区党支部",
        kind=OrgKind.BRANCH,
        code="ORG-0100",
        region=tree.community_b1,
        parent=tree.orgs["county"],
    )


def test_list_is_scoped_and_searchable(tree, official, branch_b):
    response = official.get(reverse("organisations:list"))
    assert response.status_code == 200
    names = {o.name for o in response.context["page"]}
    assert names == {"中共双塔街道工作委员会", "中共滚绣坊社区委员会", "滚绣坊社区第1网格党支部"}
    response = official.get(reverse("organisations:list"), {"kind": OrgKind.GRID_BRANCH})
    assert [o.name for o in response.context["page"]] == ["滚绣坊社区第1网格党支部"]
    response = official.get(reverse("organisations:list"), {"q": "ORG-0003"})
    assert [o.name for o in response.context["page"]] == ["中共滚绣坊社区委员会"]
    response = official.get(reverse("organisations:list"), {"node": tree.grids["1.1"].pk})
    assert [o.name for o in response.context["page"]] == ["滚绣坊社区第1网格党支部"]
    assert official.get(reverse("organisations:list"), {"node": tree.community_b1.pk}).status_code == 404


def test_detail_shows_members_positions_and_warnings(tree, official):
    branch = tree.orgs["grid_branch"]
    secretary = make_member(tree.building, branch, name="陈书记")
    make_member(tree.building, branch, full=False, name="周预备")
    position_create(person=secretary, kind="secretary", organisation=branch, starts_on=date(2023, 1, 1))
    response = official.get(reverse("organisations:detail", args=[branch.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "陈书记" in body and "周预备" in body
    assert "Secretary" in body and "current" in body
    # 1 full member: the branch rule is shown as a warning
    assert 'class="alert alert-warning"' in body
    assert "A branch needs at least 3 full members" in body
    assert response.context["member_counts"] == {"total": 2, "full": 1, "probationary": 1}
    # the ancestors inside the scope only: the county committee is not the street official's
    assert [a.name for a in response.context["ancestors"]] == [
        "中共双塔街道工作委员会",
        "中共滚绣坊社区委员会",
    ]


def test_detail_warns_about_a_large_branch_without_committee(tree, official):
    branch = tree.orgs["grid_branch"]
    for _ in range(8):
        make_member(tree.building, branch)
    body = official.get(reverse("organisations:detail", args=[branch.pk])).content.decode()
    assert "should have a committee of 3–5" in body
    assert "at least 3 full members" not in body


def test_detail_without_warnings(tree, official):
    body = official.get(reverse("organisations:detail", args=[tree.orgs["community"].pk])).content.decode()
    assert "alert-warning" not in body


def test_detail_scope_and_anonymous(tree, official, branch_b):
    assert official.get(reverse("organisations:detail", args=[branch_b.pk])).status_code == 404
    assert official.get(reverse("organisations:detail", args=[tree.orgs["county"].pk])).status_code == 404
    response = Client().get(reverse("organisations:detail", args=[tree.orgs["community"].pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_viewer_sees_no_edit_buttons_and_gets_403(tree, leader):
    org = tree.orgs["grid_branch"]
    body = leader.get(reverse("organisations:detail", args=[org.pk])).content.decode()
    assert reverse("organisations:edit", args=[org.pk]) not in body
    assert leader.get(reverse("organisations:edit", args=[org.pk])).status_code == 403
    assert leader.post(reverse("organisations:move", args=[org.pk]), {}).status_code == 403
    assert leader.get(reverse("organisations:create")).status_code == 403


def test_create_under_a_parent(tree, official):
    parent = tree.orgs["community"]
    url = f"{reverse('organisations:create')}?parent={parent.pk}&region={tree.grids['1.2'].pk}"
    page = official.get(url)
    assert page.status_code == 200
    assert page.context["form"]["parent"].value() == parent.pk
    assert page.context["form"]["kind"].value() == OrgKind.GRID_BRANCH
    response = official.post(
        url,
        {
            "name": "滚绣坊社区第2网格党支部",
            "kind": OrgKind.GRID_BRANCH,
            "code": "ORG-0005",
            "parent": parent.pk,
            "region": tree.grids["1.2"].pk,
        },
    )
    org = PartyOrganisation.objects.get(code="ORG-0005")
    assert response.status_code == 302 and response["Location"] == org.get_absolute_url()
    assert org.path.startswith(parent.path) and org.depth == parent.depth + 1


def test_create_bad_input_writes_nothing(tree, official, branch_b):
    before = PartyOrganisation.objects.count()
    url = reverse("organisations:create")
    # a Party group cannot hang under a committee; the code is taken
    response = official.post(
        url,
        {
            "name": "错小组",
            "kind": OrgKind.GROUP,
            "code": "ORG-0003",
            "parent": tree.orgs["community"].pk,
            "region": tree.community_a1.pk,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "parent" in errors and "code" in errors
    # the region must lie within the parent's region
    response = official.post(
        url,
        {
            "name": "错支部",
            "kind": OrgKind.BRANCH,
            "code": "ORG-0099",
            "parent": tree.orgs["community"].pk,
            "region": tree.community_a2.pk,
        },
    )
    assert "region" in response.context["form"].errors
    # a parent outside the user's edit scope is not a valid choice
    response = official.post(
        url,
        {
            "name": "越权小组",
            "kind": OrgKind.GROUP,
            "code": "ORG-0098",
            "parent": branch_b.pk,
            "region": tree.community_a1.pk,
        },
    )
    assert "parent" in response.context["form"].errors
    assert PartyOrganisation.objects.count() == before
    assert official.get(f"{url}?parent={branch_b.pk}").status_code == 404
    assert official.get(f"{url}?region={tree.community_b1.pk}").status_code == 404


def test_edit(tree, official):
    org = tree.orgs["grid_branch"]
    url = reverse("organisations:edit", args=[org.pk])
    response = official.post(
        url,
        {
            "name": "第1网格党支部",
            "kind": OrgKind.GRID_BRANCH,
            "code": org.code,
            "region": org.region_id,
            "founded_on": "2020-07-01",
            "term_ends_on": "2025-07-01",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "第1网格党支部" and org.founded_on == date(2020, 7, 1)
    response = official.post(
        url,
        {
            "name": "",
            "kind": OrgKind.GRID_BRANCH,
            "code": org.code,
            "region": org.region_id,
            "founded_on": "2020-07-01",
            "term_ends_on": "2019-07-01",
        },
    )
    assert response.status_code == 200
    assert {"name", "term_ends_on"} <= set(response.context["form"].errors)
    assert official.put(url).status_code == 405


def test_move_rewrites_the_subtree(tree, official):
    branch = tree.orgs["grid_branch"]
    street = tree.orgs["street"]
    group = organisation_create(
        name="1幢党小组", kind=OrgKind.GROUP, code="ORG-0011", region=tree.building, parent=branch
    )
    url = reverse("organisations:move", args=[branch.pk])
    assert official.get(url).status_code == 200
    response = official.post(url, {"new_parent": street.pk})
    assert response.status_code == 302
    branch.refresh_from_db()
    group.refresh_from_db()
    assert branch.parent == street and branch.path == f"{street.path}{branch.pk}/"
    assert group.path == f"{branch.path}{group.pk}/" and group.depth == branch.depth + 1


def test_move_outside_the_parent_region_is_refused(tree, official):
    committee = tree.orgs["community"]
    other = organisation_create(
        name="中共锦帆路社区委员会",
        kind=OrgKind.COMMITTEE,
        code="ORG-0010",
        region=tree.community_a2,
        parent=tree.orgs["street"],
    )
    response = official.post(reverse("organisations:move", args=[committee.pk]), {"new_parent": other.pk})
    assert response.status_code == 200
    assert "The region must lie within 锦帆路社区" in response.content.decode()
    committee.refresh_from_db()
    assert committee.parent_id == tree.orgs["street"].pk


def test_move_refuses_bad_targets(tree, official, branch_b):
    branch = tree.orgs["grid_branch"]
    url = reverse("organisations:move", args=[branch.pk])
    response = official.post(url, {"new_parent": branch_b.pk})  # out of scope
    assert response.status_code == 200 and "new_parent" in response.context["form"].errors
    response = official.post(url, {"new_parent": branch.pk})  # itself
    assert "new_parent" in response.context["form"].errors
    branch.refresh_from_db()
    assert branch.parent_id == tree.orgs["community"].pk
    assert official.get(reverse("organisations:move", args=[branch_b.pk])).status_code == 404


def test_people_hidden_from_structure_only_roles(tree):
    member_client = login(make_user(Role.MEMBER, tree.community_a1))
    make_member(tree.building, tree.orgs["grid_branch"], name="钱党员")
    body = member_client.get(
        reverse("organisations:detail", args=[tree.orgs["grid_branch"].pk])
    ).content.decode()
    assert "钱党员" not in body
    assert "A branch needs at least 3 full members" in body


def test_home_org_tree_is_nested(tree, official):
    make_person(tree.building)
    body = official.get(reverse("structure")).content.decode()
    street = body.index("中共双塔街道工作委员会")
    community = body.index("中共滚绣坊社区委员会")
    branch = body.index("滚绣坊社区第1网格党支部")
    assert street < community < branch


def test_organisation_choices(tree, official, branch_b):
    response = official.get(reverse("organisations:choices"), {"cap": "structure.edit", "q": "党支部"})
    body = response.content.decode()
    assert "滚绣坊社区第1网格党支部" in body and "平江路社区党支部" not in body
    assert official.get(reverse("organisations:choices"), {"cap": "x"}).status_code == 404
