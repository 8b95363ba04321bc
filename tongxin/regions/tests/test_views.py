"""Region pages and the home page: scope, permissions, forms and query counts."""

import html
import json
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.lib.geo import rectangle
from tongxin.people.services import position_create
from tongxin.regions.models import Level, Region
from tongxin.regions.services import region_create
from tongxin.testing import community_box, make_member, make_person, make_user

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def official(tree):
    """Street A's Party working committee: sees and edits street A only."""
    return login(Client(), make_user(Role.STREET_OFFICIAL, tree.street_a))


@pytest.fixture
def leader(tree):
    """A grid leader of community A1: may look, may not change the structure."""
    return login(Client(), make_user(Role.GRID_LEADER, tree.community_a1))


# ---- home ------------------------------------------------------------------------------------------


def test_home_shows_own_tree_from_scope_root(tree, official):
    response = official.get(reverse("structure"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "双塔街道" in body
    assert "滚绣坊社区" in body and "锦帆路社区" in body  # the root is open: its children are drawn
    assert "中共双塔街道工作委员会" in body  # the organisation tree of the subtree
    assert "平江街道" not in body and "平江路社区" not in body  # another street
    assert "姑苏区" not in body  # the county above the scope root is not in the breadcrumb
    # grids are not loaded until their community is opened, but the community offers to load them
    assert reverse("regions:children", args=[tree.community_a1.pk]) in body
    assert "滚绣坊社区第1网格<" not in body and "锦帆路社区第1网格" not in body


def test_home_selected_node_opens_its_branch_and_shows_positions(tree, official):
    grid = tree.grids["1.1"]
    worker = make_person(grid, name="王网格")
    position_create(person=worker, kind="grid_worker", region=grid, starts_on=date(2024, 1, 1))
    ended = make_person(grid, name="李已卸任")
    position_create(
        person=ended, kind="grid_leader", region=grid, starts_on=date(2020, 1, 1), ends_on=date(2021, 1, 1)
    )
    make_member(tree.building, tree.orgs["grid_branch"], name="张党员")
    response = official.get(reverse("structure"), {"node": grid.pk})
    assert response.status_code == 200
    body = response.content.decode()
    ctx = response.context
    assert ctx["node"] == grid
    assert [r.name for r in ctx["breadcrumb"]] == ["双塔街道", "滚绣坊社区"]
    assert "王网格" in body and "Grid worker" in body
    assert "李已卸任" not in body  # ended positions are not current
    assert ctx["counts"]["buildings"] == 1
    assert ctx["people_counts"] == {"people": 3, "members": 1}
    assert f"{reverse('people:list')}?node={grid.pk}" in body
    assert "1幢" in body  # the grid is open, its building is drawn


def test_home_counts_use_the_whole_subtree(tree, official):
    make_person(tree.building)
    make_member(tree.grids["2.1"], tree.orgs["grid_branch"])
    make_person(tree.community_b1)  # another street: not counted
    ctx = official.get(reverse("structure")).context
    assert ctx["counts"] == {"communities": 2, "grids": 4, "buildings": 1}
    assert ctx["people_counts"] == {"people": 2, "members": 1}


def test_home_node_outside_scope_is_404(tree, official):
    assert official.get(reverse("structure"), {"node": tree.community_b1.pk}).status_code == 404
    assert official.get(reverse("structure"), {"node": tree.county.pk}).status_code == 404


def test_home_without_roles_says_so(tree, client):
    login(client, make_user(None, None))
    response = client.get(reverse("structure"))
    assert response.status_code == 200
    assert "No area assigned yet" in response.content.decode()


def test_home_anonymous_goes_to_login(tree, client):
    response = client.get(reverse("structure"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_member_without_people_view_sees_no_people(tree, client):
    login(client, make_user(Role.MEMBER, tree.community_a1))
    make_person(tree.building, name="赵居民")
    response = client.get(reverse("structure"))
    assert response.status_code == 200
    assert "people_counts" not in response.context
    assert "赵居民" not in response.content.decode()


def _grow(tree, n):
    """More of everything below street A, to show the query count does not follow the data."""
    for i in range(n):
        community = tree.community_a1
        grid = region_create(
            actor=SYSTEM,
            name=f"加网格{i}",
            level=Level.GRID,
            code=f"{community.code}{100 + i:03d}",
            parent=community,
        )
        make_person(grid)
        make_member(grid, tree.orgs["grid_branch"])
        position_create(person=make_person(grid), kind="grid_worker", region=grid, starts_on=date(2024, 1, 1))


def test_home_query_count_does_not_grow(tree, official, django_assert_max_num_queries):
    node = {"node": tree.community_a1.pk}
    official.get(reverse("structure"), node)  # warm the session
    with django_assert_max_num_queries(15):
        assert official.get(reverse("structure"), node).status_code == 200
    _grow(tree, 12)
    with django_assert_max_num_queries(15):
        response = official.get(reverse("structure"), node)
    assert response.context["counts"]["grids"] == 14


# ---- tree children (htmx) ------------------------------------------------------------------------------


def test_children_partial(tree, official):
    response = official.get(reverse("regions:children", args=[tree.community_a1.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<ul class="tree-kids">')
    assert "滚绣坊社区第1网格" in body and "滚绣坊社区第2网格" in body
    assert "锦帆路社区第1网格" not in body
    # the grid with a building can be expanded in turn
    assert reverse("regions:children", args=[tree.grids["1.1"].pk]) in body


def test_children_partial_scoped_and_get_only(tree, official):
    assert official.get(reverse("regions:children", args=[tree.community_b1.pk])).status_code == 404
    assert official.post(reverse("regions:children", args=[tree.community_a1.pk])).status_code == 405


# ---- list and detail -----------------------------------------------------------------------------------


def test_list_is_scoped_searchable_and_filtered(tree, official):
    response = official.get(reverse("regions:list"))
    assert response.status_code == 200
    names = [r.name for r in response.context["page"]]
    assert "双塔街道" in names and "1幢" in names
    assert "平江街道" not in names and "姑苏区" not in names
    response = official.get(reverse("regions:list"), {"q": "锦帆"})
    assert {r.name for r in response.context["page"]} == {
        "锦帆路社区",
        "锦帆路社区第1网格",
        "锦帆路社区第2网格",
    }
    response = official.get(reverse("regions:list"), {"q": tree.community_a1.code})
    assert {r.name for r in response.context["page"]} >= {"滚绣坊社区", "1幢"}
    response = official.get(reverse("regions:list"), {"level": "grid"})
    assert {r.level for r in response.context["page"]} == {"grid"}
    assert response.context["page"].paginator.count == 4
    response = official.get(reverse("regions:list"), {"level": "nonsense"})
    assert response.status_code == 200
    assert "level" in response.context["form"].errors


def test_list_paginates(tree, official):
    for i in range(55):
        region_create(
            actor=SYSTEM,
            name=f"楼{i}",
            level=Level.BUILDING,
            code=f"{tree.grids['1.2'].code}{i + 1:05d}",
            parent=tree.grids["1.2"],
        )
    first = official.get(reverse("regions:list"))
    assert len(first.context["page"]) == 50
    second = official.get(reverse("regions:list"), {"page": 2})
    assert second.context["page"].number == 2
    assert len(second.context["page"]) == second.context["page"].paginator.count - 50
    # the bookmark's page links back by cursor: "previous" is the first page again
    back = re.search(r'href="([^"]*)" rel="prev"', second.content.decode())
    assert back is not None
    again = official.get(reverse("regions:list") + html.unescape(back.group(1)))
    assert [r.pk for r in again.context["page"]] == [r.pk for r in first.context["page"]]


def test_detail(tree, official):
    response = official.get(reverse("regions:detail", args=[tree.community_a1.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "滚绣坊社区第1网格" in body
    assert "中共滚绣坊社区委员会" in body
    assert reverse("regions:edit", args=[tree.community_a1.pk]) in body
    assert f"{reverse('regions:create')}?parent={tree.community_a1.pk}&amp;level=grid" in body
    assert [r.name for r in response.context["breadcrumb"]] == ["双塔街道"]


def test_detail_out_of_scope_and_anonymous(tree, official, client):
    assert official.get(reverse("regions:detail", args=[tree.community_b1.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("regions:detail", args=[tree.community_a1.pk]))
    assert response.status_code == 302


def test_detail_hides_edit_buttons_from_viewers(tree, leader):
    response = leader.get(reverse("regions:detail", args=[tree.grids["1.1"].pk]))
    assert response.status_code == 200
    assert reverse("regions:edit", args=[tree.grids["1.1"].pk]) not in response.content.decode()


# ---- create --------------------------------------------------------------------------------------------


def test_create_grid(tree, official):
    """A second-level grid inside grid A2.1 (grids may nest), with its boundary."""
    outer = tree.grids["2.1"]
    url = f"{reverse('regions:create')}?parent={outer.pk}&level=grid"
    page = official.get(url)
    assert page.status_code == 200
    assert page.context["form"]["parent"].value() == outer.pk
    x0, y0, _x1, _y1 = community_box(1)
    geometry = rectangle(x0 + 0.001, y0 + 0.001, x0 + 0.005, y0 + 0.005)
    response = official.post(
        url,
        {
            "name": "锦帆路社区第1网格A",
            "level": "grid",
            "code": f"{tree.community_a2.code}003",
            "parent": outer.pk,
            "geometry": json.dumps(geometry),
        },
    )
    grid = Region.objects.get(name="锦帆路社区第1网格A")
    assert response.status_code == 302 and response["Location"] == grid.get_absolute_url()
    assert grid.parent == outer and grid.path.startswith(outer.path)
    assert grid.cells.exists()  # the service indexed it


def test_create_shows_service_errors_and_writes_nothing(tree, official):
    before = Region.objects.count()
    response = official.post(
        reverse("regions:create"),
        {"name": "错网格", "level": "grid", "code": "320508019045001", "parent": tree.street_a.pk},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "parent" in errors  # a grid never hangs under a street
    assert "A grid must belong to a community" in response.content.decode()
    response = official.post(
        reverse("regions:create"),
        {"name": "错网格", "level": "grid", "code": "12", "parent": tree.community_a1.pk},
    )
    assert "code" in response.context["form"].errors
    response = official.post(
        reverse("regions:create"),
        {
            "name": "坏边界",
            "level": "grid",
            "code": "320508019044009",
            "parent": tree.community_a1.pk,
            "geometry": "{not json",
            "centre_lat": "31.3",
        },
    )
    errors = response.context["form"].errors
    assert "geometry" in errors and "centre_lng" in errors
    assert Region.objects.count() == before


def test_create_refuses_parents_outside_edit_scope(tree, official):
    before = Region.objects.count()
    # another street's community as the posted parent: not a valid choice
    response = official.post(
        reverse("regions:create"),
        {
            "name": "越权网格",
            "level": "grid",
            "code": f"{tree.community_b1.code}009",
            "parent": tree.community_b1.pk,
        },
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert Region.objects.count() == before
    # and as the ?parent= of the page: 404
    url = f"{reverse('regions:create')}?parent={tree.community_b1.pk}"
    assert official.get(url).status_code == 404


def test_create_forbidden_to_viewers(tree, leader):
    assert leader.get(reverse("regions:create")).status_code == 403
    url = f"{reverse('regions:create')}?parent={tree.grids['1.1'].pk}"
    assert leader.get(url).status_code == 403


# ---- edit ----------------------------------------------------------------------------------------------


def test_edit_changes_name_and_code(tree, official):
    grid = tree.grids["1.1"]
    url = reverse("regions:edit", args=[grid.pk])
    form = official.get(url).context["form"]
    data = {k: (v if v is not None else "") for k, v in form.initial.items()}
    data.update(name="改名网格", code=f"{tree.community_a1.code}007")
    response = official.post(url, data)
    assert response.status_code == 302
    grid.refresh_from_db()
    tree.building.refresh_from_db()
    assert grid.name == "改名网格" and grid.code.endswith("007")
    assert tree.building.code.startswith(grid.code)  # the building's code followed


def test_edit_bad_input(tree, official):
    grid = tree.grids["1.1"]
    url = reverse("regions:edit", args=[grid.pk])
    response = official.post(url, {"name": "", "code": tree.grids["1.2"].code, "geometry": "[1, 2]"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors and "geometry" in errors
    response = official.post(url, {"name": "x", "code": tree.grids["1.2"].code})
    assert "already has the code" in str(response.context["form"].errors["code"])
    grid.refresh_from_db()
    assert grid.name == "滚绣坊社区第1网格"


def test_edit_permissions_and_methods(tree, official, leader):
    assert official.get(reverse("regions:edit", args=[tree.community_b1.pk])).status_code == 404
    assert official.put(reverse("regions:edit", args=[tree.grids["1.1"].pk])).status_code == 405
    assert leader.get(reverse("regions:edit", args=[tree.grids["1.1"].pk])).status_code == 403
    response = leader.post(reverse("regions:edit", args=[tree.grids["1.1"].pk]), {"name": "x"})
    assert response.status_code == 403
    # the grid leader's scope is community A1: community A2 is a 404, not a 403
    assert leader.get(reverse("regions:edit", args=[tree.community_a2.pk])).status_code == 404


# ---- move ----------------------------------------------------------------------------------------------


def test_move_rewrites_the_subtree(tree, client):
    login(client, make_user(Role.COUNTY_ORG, tree.county))
    community = tree.community_a1
    url = reverse("regions:move", args=[community.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"new_parent": tree.street_b.pk, "new_code": "320508020044"})
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.parent == tree.street_b and community.code == "320508020044"
    assert community.path == f"{tree.street_b.path}{community.pk}/"
    for region in Region.objects.filter(
        pk__in=[tree.grids["1.1"].pk, tree.grids["1.2"].pk, tree.building.pk]
    ):
        assert region.path.startswith(community.path)
        assert region.code.startswith("320508020044")
        assert region.depth == community.depth + (2 if region.level == Level.BUILDING else 1)


def test_move_refuses_bad_targets(tree, official, leader):
    url = reverse("regions:move", args=[tree.community_a1.pk])
    # street B is outside the official's edit scope: not offered, not accepted
    response = official.post(url, {"new_parent": tree.street_b.pk})
    assert response.status_code == 200 and "new_parent" in response.context["form"].errors
    # a grid cannot be the parent of a community
    response = official.post(url, {"new_parent": tree.grids["2.1"].pk})
    assert "new_parent" in response.context["form"].errors
    # the new code must fit the new parent
    grid_url = reverse("regions:move", args=[tree.grids["1.2"].pk])
    response = official.post(grid_url, {"new_parent": tree.community_a2.pk})
    assert "new_code" in response.context["form"].errors
    tree.community_a1.refresh_from_db()
    tree.grids["1.2"].refresh_from_db()
    assert (
        tree.community_a1.parent_id == tree.street_a.pk
        and tree.grids["1.2"].parent_id == tree.community_a1.pk
    )
    assert leader.get(url).status_code == 403
    assert official.get(reverse("regions:move", args=[tree.community_b1.pk])).status_code == 404
    assert official.delete(url).status_code == 405


def test_move_grid_to_another_community_with_new_code(tree, official):
    grid = tree.grids["1.2"]
    response = official.post(
        reverse("regions:move", args=[grid.pk]),
        {"new_parent": tree.community_a2.pk, "new_code": f"{tree.community_a2.code}009"},
    )
    # the grid's polygon lies in community A1's box, outside A2: the service says so on the form
    assert response.status_code == 200
    assert "goes outside 锦帆路社区" in str(response.context["form"].non_field_errors())
    assert "goes outside" in response.content.decode()
    grid.refresh_from_db()
    assert grid.parent_id == tree.community_a1.pk


# ---- pickers -------------------------------------------------------------------------------------------


def test_region_choices_search_is_scoped(tree, official):
    url = reverse("regions:choices")
    response = official.get(url, {"cap": "structure.edit", "levels": "community", "q": "社区"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "滚绣坊社区" in body and "锦帆路社区" in body and "平江路社区" not in body
    assert official.get(url, {"cap": "nonsense"}).status_code == 404
    assert official.get(url, {"cap": "structure.edit", "within": tree.community_b1.pk}).status_code == 404


def test_a_street_official_cannot_create_a_top_level_region(client, tree):
    """The parent is required on the page, and the service refuses a top-level region to anyone
    but the system."""
    from django.core.exceptions import PermissionDenied

    from tongxin.core.roles import Role
    from tongxin.regions.models import Level, Region
    from tongxin.regions.services import region_create
    from tongxin.testing import make_user

    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    client.force_login(official)
    before = Region.objects.count()
    response = client.post(
        "/regions/new/", {"name": "新城市", "level": Level.CITY, "code": "990000000000", "kind": ""}
    )
    assert response.status_code == 200 and Region.objects.count() == before
    assert "parent" in response.context["form"].errors
    with pytest.raises(PermissionDenied):
        region_create(actor=official, name="新城市", level=Level.CITY, code="990000000000")
    assert Region.objects.count() == before
