import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.core.actors import SYSTEM
from tongxin.lib.geo import rectangle
from tongxin.people.services import position_create
from tongxin.regions.models import Level
from tongxin.regions.services import region_create
from tongxin.structure.map_views import parse_lng_lat
from tongxin.testing import make_person, make_user

pytestmark = pytest.mark.django_db

# community A1 is 120.60–120.62 × 31.30–31.32; grid 1.1 is its western half, 1.2 the eastern half
INNER_POINT = (120.601, 31.301)  # in grid 1.1 › 1.1a › 1.1a-i
MIDDLE_POINT = (120.604, 31.308)  # in grid 1.1 › 1.1a only
OTHER_STREET_POINT = (120.645, 31.31)  # inside community B1 (平江街道), which has no grid
EDGE_POINT = (120.61, 31.315)  # on the shared edge of grids 1.1 and 1.2


@pytest.fixture
def nested(tree):
    """Grid 1.1 holds a second-level grid, which holds a third-level grid."""
    community = tree.community_a1
    second = region_create(
        actor=SYSTEM,
        name="滚绣坊二级网格",
        level=Level.GRID,
        code=f"{community.code}011",
        parent=tree.grids["1.1"],
        geometry=rectangle(120.600, 31.300, 120.605, 31.310),
    )
    third = region_create(
        actor=SYSTEM,
        name="滚绣坊三级网格",
        level=Level.GRID,
        code=f"{community.code}111",
        parent=second,
        geometry=rectangle(120.600, 31.300, 120.6025, 31.305),
    )
    # another street's grid, to prove the scope never names it
    foreign = region_create(
        actor=SYSTEM,
        name="平江路秘密网格",
        level=Level.GRID,
        code=f"{tree.community_b1.code}001",
        parent=tree.community_b1,
        geometry=rectangle(120.64, 31.30, 120.65, 31.32),
    )
    tree.grids["1.1a"] = second
    tree.grids["1.1a-i"] = third
    tree.grids["b.1"] = foreign
    return tree


def client_for(role: str | None, region) -> Client:
    user = make_user(role, region)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def secretary(nested) -> Client:
    return client_for("community_secretary", nested.community_a1)


@pytest.fixture
def street_official(nested) -> Client:
    return client_for("street_official", nested.street_a)


def locate(client: Client, lng, lat):
    return client.get(reverse("regions_map:locate"), {"lng": lng, "lat": lat})


# --- access ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(nested):
    client = Client()
    for url in [
        reverse("regions_map:index"),
        reverse("regions_map:community", args=[nested.community_a1.pk]),
        reverse("regions_map:geojson", args=[nested.community_a1.pk]),
        reverse("regions_map:locate") + "?lng=120.601&lat=31.301",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_account_without_a_role_is_refused(nested):
    client = client_for(None, None)
    assert client.get(reverse("regions_map:index")).status_code == 403
    assert locate(client, *INNER_POINT).status_code == 403


@pytest.mark.parametrize("name", ["regions_map:index", "regions_map:locate"])
def test_post_is_not_allowed(secretary, name):
    assert secretary.post(reverse(name)).status_code == 405


def test_post_to_community_or_geojson_not_allowed(secretary, nested):
    pk = nested.community_a1.pk
    assert secretary.post(reverse("regions_map:community", args=[pk])).status_code == 405
    assert secretary.post(reverse("regions_map:geojson", args=[pk])).status_code == 405


# --- index ---------------------------------------------------------------------------------------


def test_index_redirects_when_the_scope_holds_one_community(secretary, nested):
    response = secretary.get(reverse("regions_map:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("regions_map:community", args=[nested.community_a1.pk])


def test_index_lists_the_street_communities_grouped_and_searchable(street_official, nested):
    response = street_official.get(reverse("regions_map:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "双塔街道" in body
    assert nested.community_a1.name in body and nested.community_a2.name in body
    assert nested.community_b1.name not in body

    response = street_official.get(reverse("regions_map:index"), {"q": "锦帆"})
    body = response.content.decode()
    assert nested.community_a2.name in body and nested.community_a1.name not in body

    response = street_official.get(reverse("regions_map:index"), {"q": "nothing-like-this"})
    assert "nothing-like-this" in response.content.decode()


def test_index_search_by_htmx_returns_only_the_list(street_official, nested):
    url = reverse("regions_map:index")
    response = street_official.get(url, {"q": "320508019044"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="community-list"')
    assert "<html" not in body
    assert nested.community_a1.name in body and nested.community_a2.name not in body


def test_grid_worker_is_taken_to_the_map_of_their_grid(nested):
    client = client_for("grid_worker", nested.grids["1.1"])
    response = client.get(reverse("regions_map:index"))
    assert response["Location"] == reverse("regions_map:community", args=[nested.grids["1.1"].pk])
    response = client.get(response["Location"])
    assert response.status_code == 200
    body = response.content.decode()
    assert nested.grids["1.1a-i"].name in body
    assert nested.grids["1.2"].name not in body
    # the community itself lies outside their scope
    assert client.get(reverse("regions_map:community", args=[nested.community_a1.pk])).status_code == 404


# --- community page -------------------------------------------------------------------------------


def test_community_page_lists_grids_nested_with_workers(secretary, nested):
    grid = nested.grids["1.1a"]
    worker = make_person(grid, name="王网格")
    position_create(person=worker, kind="grid_worker", region=grid, starts_on=date(2024, 1, 1))
    former = make_person(nested.grids["1.1a"], name="李已离任")
    position_create(
        person=former,
        kind="grid_worker",
        region=nested.grids["1.1a"],
        starts_on=date(2020, 1, 1),
        ends_on=date.today() - timedelta(days=1),
    )
    response = secretary.get(reverse("regions_map:community", args=[nested.community_a1.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    names = [nested.grids[k].name for k in ("1.1", "1.1a", "1.1a-i", "1.2")]
    positions = [body.index(name) for name in names]
    assert positions == sorted(positions), "each grid is followed by the grids nested in it"
    assert 'class="indent-2' in body  # the third-level grid is indented twice
    assert "王网格" in body and "李已离任" not in body
    assert nested.grids["b.1"].name not in body
    assert 'id="map-config" type="application/json"' in body


def test_worker_names_need_people_view(nested):
    worker = make_person(nested.grids["1.1"], name="王网格")
    position_create(person=worker, kind="grid_worker", region=nested.grids["1.1"], starts_on=date(2024, 1, 1))
    member = client_for("member", nested.community_a1)  # sees the structure, not people
    body = member.get(reverse("regions_map:community", args=[nested.community_a1.pk])).content.decode()
    assert nested.grids["1.1"].name in body and "王网格" not in body


def test_page_has_csp_and_no_inline_script(secretary, nested):
    response = secretary.get(reverse("regions_map:community", args=[nested.community_a1.pk]))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert scripts, "the page loads its scripts"
    for tag in scripts:
        assert 'src="' in tag or 'type="application/json"' in tag, tag
    assert 'src="/static/regions/map.js"' in body and 'src="/static/vendor/leaflet/leaflet.js"' in body
    assert not re.search(r"\son[a-z]+=", body), "no inline event handlers"


def test_no_tile_layer_unless_configured(secretary, nested, settings):
    url = reverse("regions_map:community", args=[nested.community_a1.pk])
    body = secretary.get(url).content.decode()
    assert "data-tile-url" not in body
    assert f'data-base-url="{reverse("regions_map:boundaries")}"' in body
    settings.TONGXIN_TILE_URL = "https://tiles.example.lan/{z}/{x}/{y}.png"
    assert 'data-tile-url="https://tiles.example.lan/{z}/{x}/{y}.png"' in secretary.get(url).content.decode()


def test_out_of_scope_community_is_404(secretary, nested):
    for community in (nested.community_a2, nested.community_b1):
        assert secretary.get(reverse("regions_map:community", args=[community.pk])).status_code == 404
    assert secretary.get(reverse("regions_map:community", args=[999999])).status_code == 404


def test_grid_redirects_to_its_community_with_the_grid_in_focus(secretary, nested):
    grid = nested.grids["1.1a-i"]
    response = secretary.get(reverse("regions_map:community", args=[grid.pk]))
    assert response.status_code == 302
    community_url = reverse("regions_map:community", args=[nested.community_a1.pk])
    assert response["Location"] == f"{community_url}?grid={grid.pk}"
    config = secretary.get(response["Location"]).context["config"]
    assert config["focus"] == grid.pk


def test_street_redirects_to_the_index(street_official, nested):
    response = street_official.get(reverse("regions_map:community", args=[nested.street_a.pk]))
    assert response["Location"] == reverse("regions_map:index")


def test_find_box_without_javascript(secretary, nested):
    url = reverse("regions_map:community", args=[nested.community_a1.pk])
    response = secretary.get(url, {"at": "120.601, 31.301"})
    assert response.context["located"]["grid"]["id"] == nested.grids["1.1a-i"].pk
    assert nested.grids["1.1a-i"].code in response.content.decode()
    # latitude first and a full-width comma are understood too
    response = secretary.get(url, {"at": "31.301，120.601"})
    assert response.context["located"]["grid"]["id"] == nested.grids["1.1a-i"].pk
    response = secretary.get(url, {"at": "二级"})
    assert response.context["focus_id"] == nested.grids["1.1a"].pk
    response = secretary.get(url, {"at": "平江路秘密"})
    assert response.context["find_error"] and response.context["focus_id"] is None
    assert "平江路秘密网格" not in response.content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("120.61, 31.31", (120.61, 31.31)),
        ("120.61 31.31", (120.61, 31.31)),
        ("31.31，120.61", (120.61, 31.31)),
        ("-73.9,40.7", (-73.9, 40.7)),
        ("120.61", None),
        ("a, b", None),
        ("200, 31", None),
        ("nan, 31", None),
        ("120, 31, 5", None),
    ],
)
def test_parse_lng_lat(text, expected):
    assert parse_lng_lat(text) == expected


# --- geojson ---------------------------------------------------------------------------------------


def test_geojson_is_exactly_the_community_grids(secretary, nested):
    response = secretary.get(reverse("regions_map:geojson", args=[nested.community_a1.pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    ids = {f["properties"]["id"] for f in data["features"]}
    assert ids == {nested.grids[k].pk for k in ("1.1", "1.2", "1.1a", "1.1a-i")}
    by_id = {f["properties"]["id"]: f for f in data["features"]}
    third = by_id[nested.grids["1.1a-i"].pk]
    assert third["properties"]["depth"] == 3
    assert third["properties"]["parent_id"] == nested.grids["1.1a"].pk
    assert third["properties"]["code"] == nested.grids["1.1a-i"].code
    assert set(third["properties"]) == {"id", "name", "code", "depth", "parent_id", "url"}
    assert third["geometry"]["type"] == "Polygon"
    assert by_id[nested.grids["1.1"].pk]["properties"]["depth"] == 1
    assert data["community"]["id"] == nested.community_a1.pk


def test_geojson_of_another_community_is_404(secretary, street_official, nested):
    assert secretary.get(reverse("regions_map:geojson", args=[nested.community_a2.pk])).status_code == 404
    assert secretary.get(reverse("regions_map:geojson", args=[nested.community_b1.pk])).status_code == 404
    # a street has no grid map of its own
    assert street_official.get(reverse("regions_map:geojson", args=[nested.street_a.pk])).status_code == 404
    data = street_official.get(reverse("regions_map:geojson", args=[nested.community_a2.pk])).json()
    assert {f["properties"]["id"] for f in data["features"]} == {
        g.pk for g in nested.grids.values() if g.parent_id == nested.community_a2.pk
    }


# --- locate ----------------------------------------------------------------------------------------


def test_locate_returns_the_innermost_grid_then_its_outer_grids(secretary, nested):
    response = locate(secretary, *INNER_POINT)
    assert response.status_code == 200
    data = response.json()
    assert data["grid"]["id"] == nested.grids["1.1a-i"].pk
    assert data["grid"]["depth"] == 3
    assert [g["id"] for g in data["outer"]] == [nested.grids["1.1a"].pk, nested.grids["1.1"].pk]
    assert data["edge"] == []
    assert nested.grids["1.1a-i"].name in data["message"] and nested.grids["1.1a-i"].code in data["message"]

    data = locate(secretary, *MIDDLE_POINT).json()
    assert data["grid"]["id"] == nested.grids["1.1a"].pk
    assert [g["id"] for g in data["outer"]] == [nested.grids["1.1"].pk]


def test_locate_on_a_shared_edge_names_both_grids(secretary, nested):
    data = locate(secretary, *EDGE_POINT).json()
    found = {data["grid"]["id"], *(g["id"] for g in data["edge"])}
    assert found == {nested.grids["1.1"].pk, nested.grids["1.2"].pk}
    assert data["outer"] == []


def test_locate_never_names_a_grid_outside_the_scope(secretary, nested):
    data = locate(secretary, *OTHER_STREET_POINT).json()
    assert data["grid"] is None and data["outer"] == [] and data["edge"] == []
    assert data["message"]
    assert nested.grids["b.1"].name not in str(data) and nested.grids["b.1"].code not in str(data)
    # the other street's official is told the grid, to prove the point does lie in one
    other = client_for("street_official", nested.street_b)
    assert locate(other, *OTHER_STREET_POINT).json()["grid"]["id"] == nested.grids["b.1"].pk


def test_locate_for_a_grid_worker_skips_outer_grids_outside_their_scope(nested):
    client = client_for("grid_worker", nested.grids["1.1a"])
    data = locate(client, *INNER_POINT).json()
    assert data["grid"]["id"] == nested.grids["1.1a-i"].pk
    assert [g["id"] for g in data["outer"]] == [nested.grids["1.1a"].pk]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lng": "120.6"},
        {"lng": "abc", "lat": "31.3"},
        {"lng": "nan", "lat": "31.3"},
        {"lng": "inf", "lat": "31.3"},
        {"lng": "181", "lat": "31.3"},
        {"lng": "120.6", "lat": "-90.5"},
    ],
)
def test_locate_rejects_bad_coordinates(secretary, params):
    response = secretary.get(reverse("regions_map:locate"), params)
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid_coordinates" and data["message"]
