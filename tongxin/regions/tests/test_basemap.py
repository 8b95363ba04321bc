"""What lies under every map: the street and community boundaries, an optional intranet tile layer,
the hints taken from the user's own area, and a pin that no grid holds."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tongxin.cases.models import CaseKind, CaseSource
from tongxin.cases.services import OUTSIDE_GRIDS, case_intake
from tongxin.cases.testing import category, report_case
from tongxin.core.middleware import csp_policy, tile_origin
from tongxin.regions.selectors import region_contains
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db

TILES = "https://tiles.example.lan/{z}/{x}/{y}.png"
IN_A1_GRID = (120.605, 31.31)  # grid 1.1 of 滚绣坊社区
IN_B1_NO_GRID = (120.645, 31.31)  # 平江路社区 has a boundary but no grid
NOWHERE = (121.5, 31.0)  # in no community of the tree


def client_for(role: str | None, region) -> Client:
    client = Client()
    client.force_login(make_user(role, region))
    return client


def names(response) -> set[str]:
    assert response.status_code == 200
    return {f["properties"]["name"] for f in response.json()["features"]}


# --- the boundaries -------------------------------------------------------------------------------


def test_an_official_gets_the_boundaries_of_their_own_subtree_only(tree):
    url = reverse("regions_map:boundaries")
    street = client_for("street_official", tree.street_a)
    assert names(street.get(url)) == {tree.community_a1.name, tree.community_a2.name}
    secretary = client_for("community_secretary", tree.community_a1)
    assert names(secretary.get(url)) == {tree.community_a1.name}
    other_street = client_for("street_official", tree.street_b)
    assert names(other_street.get(url)) == {tree.community_b1.name}
    county = client_for("county_org", tree.county)
    assert names(county.get(url)) == {tree.community_a1.name, tree.community_a2.name, tree.community_b1.name}


def test_a_grid_worker_gets_no_boundary_above_their_grid(tree):
    worker = client_for("grid_worker", tree.grids["1.1"])
    assert names(worker.get(reverse("regions_map:boundaries"))) == set()


def test_boundaries_carry_names_and_levels_only(tree):
    body = client_for("county_org", tree.county).get(reverse("regions_map:boundaries")).json()
    assert body["type"] == "FeatureCollection"
    for feature in body["features"]:
        assert set(feature["properties"]) == {"id", "name", "level"}
        assert feature["properties"]["level"] in ("street", "community")
        assert feature["geometry"]["type"] == "Polygon"


def test_the_staff_boundaries_need_an_account_and_a_role(tree):
    url = reverse("regions_map:boundaries")
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client_for(None, None).get(url).status_code == 403
    assert client_for("county_org", tree.county).post(url).status_code == 405


def test_the_public_boundaries_are_every_community_by_name(tree):
    url = reverse("regions_map:public_boundaries")
    everyone = {tree.community_a1.name, tree.community_a2.name, tree.community_b1.name}
    assert names(Client().get(url)) == everyone
    assert Client().post(url).status_code == 405


# --- the tile setting -----------------------------------------------------------------------------


def pages(tree) -> list[tuple[Client, str]]:
    secretary = client_for("community_secretary", tree.community_a1)
    case = report_case(tree)
    return [
        (secretary, reverse("regions_map:community", args=[tree.community_a1.pk])),
        (secretary, reverse("cases:list")),
        (secretary, reverse("cases:detail", args=[case.pk])),
        (Client(), reverse("cases_public:report")),
    ]


def test_without_tiles_no_tile_layer_and_nothing_from_another_host(tree, settings):
    settings.TONGXIN_TILE_URL = ""
    for client, url in pages(tree):
        response = client.get(url)
        body = response.content.decode()
        assert "data-base-url=" in body, url
        assert "data-tile-url" not in body, url
        assert not re.search(r'(src|href)="(https?:)?//', body), url
        img_src = re.search(r"img-src ([^;]+)", response["Content-Security-Policy"]).group(1)
        assert img_src == "'self' data: blob:", url


def test_configured_tiles_reach_every_map_and_only_their_host_is_allowed(tree, settings):
    settings.TONGXIN_TILE_URL = TILES
    settings.TONGXIN_TILE_ATTRIBUTION = "© 区测绘院"
    settings.TONGXIN_TILE_MAX_ZOOM = 17
    for client, url in pages(tree):
        response = client.get(url)
        body = response.content.decode()
        assert f'data-tile-url="{TILES}"' in body, url
        assert 'data-tile-max-zoom="17"' in body and "© 区测绘院" in body, url
        img_src = re.search(r"img-src ([^;]+)", response["Content-Security-Policy"]).group(1)
        assert img_src == "'self' data: blob: https://tiles.example.lan", url
        assert "connect-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://tiles.intranet/{z}/{x}/{y}.png", "http://tiles.intranet"),
        ("http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png", "http://10.0.0.5:8080"),
        ("https://{s}.tiles.intranet/{z}/{x}/{y}.png", "https://*.tiles.intranet"),
        ("http://gisa.intranet/{z}/{x}/{y}.png", "http://gisa.intranet"),
        ("/tiles/{z}/{x}/{y}.png", ""),  # served by the app itself: 'self' already allows it
        ("javascript:alert(1)", ""),
    ],
)
def test_the_tile_host_allowed_is_exactly_the_configured_one(url, origin):
    assert tile_origin(url) == origin
    policy = csp_policy(url)
    assert ("img-src 'self' data: blob:" + (f" {origin}" if origin else "") + ";") in policy


# --- hints from the user's own area ---------------------------------------------------------------


def test_the_hints_name_the_users_own_area(tree):
    street = client_for("street_official", tree.street_a)
    body = street.get(reverse("regions_map:index")).content.decode()
    hint = re.search(r'id="map-q"[^>]*placeholder="([^"]*)"', body).group(1)
    assert tree.community_a1.name in hint and tree.community_a1.code in hint
    a1 = tree.community_a1
    body = street.get(reverse("regions_map:community", args=[a1.pk])).content.decode()
    assert f'placeholder="{a1.centre_lng:.4f}, {a1.centre_lat:.4f}"' in body


# --- a pin that no grid holds ---------------------------------------------------------------------


def intake(**kw):
    return case_intake(
        source=CaseSource.RESIDENT,
        kind=CaseKind.COMPLAINT,
        category=category(),
        description="小区门口的路灯一直不亮",
        **kw,
    )


def test_a_pin_in_no_grid_without_a_community_is_refused_with_the_maps_words(tree):
    with pytest.raises(ValidationError) as caught:
        intake(lng=NOWHERE[0], lat=NOWHERE[1])
    assert caught.value.message_dict["location"] == [str(OUTSIDE_GRIDS)]


def test_a_pin_outside_the_chosen_community_is_refused(tree):
    with pytest.raises(ValidationError) as caught:
        intake(lng=NOWHERE[0], lat=NOWHERE[1], community=tree.community_b1)
    assert tree.community_b1.name in caught.value.message_dict["location"][0]


def test_a_pin_in_no_grid_inside_the_chosen_community_goes_to_the_community(tree):
    case, _token = intake(lng=IN_B1_NO_GRID[0], lat=IN_B1_NO_GRID[1], community=tree.community_b1)
    assert case.grid is None and case.community == tree.community_b1


def test_the_report_page_says_and_the_server_answers_the_same(tree):
    client = Client()
    body = client.get(reverse("cases_public:report")).content.decode()
    assert f'data-outside="{OUTSIDE_GRIDS}"' in body
    data = {
        "category": category().pk,
        "kind": CaseKind.COMPLAINT,
        "description": "小区门口的路灯一直不亮",
        "lng": str(NOWHERE[0]),
        "lat": str(NOWHERE[1]),
    }
    response = client.post(reverse("cases_public:report"), data)
    assert response.status_code == 400
    assert str(OUTSIDE_GRIDS) in response.content.decode()


def test_region_contains(tree):
    assert region_contains(tree.community_a1, *IN_A1_GRID) is True
    assert region_contains(tree.community_a1, *IN_B1_NO_GRID) is False
    assert region_contains(tree.street_a, *IN_A1_GRID) is None  # no boundary drawn


# --- the case's place -----------------------------------------------------------------------------


def test_the_case_page_shows_its_place_on_a_map_and_the_tracking_page_only_its_grid(tree):
    case, token = intake(lng=IN_A1_GRID[0], lat=IN_A1_GRID[1])
    secretary = client_for("community_secretary", tree.community_a1)
    body = secretary.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'class="case-location-map"' in body
    assert f'data-lat="{IN_A1_GRID[1]:.7f}"' in body and 'id="case-location-grid"' in body
    public = Client().get(reverse("cases_public:track", args=[case.tracking_code, token])).content.decode()
    assert 'class="case-location-map"' in public and 'id="case-location-grid"' in public
    assert "data-lat" not in public and str(IN_A1_GRID[1]) not in public
    assert reverse("regions_map:public_boundaries") in public
    other = client_for("community_secretary", tree.community_b1)
    assert other.get(reverse("cases:detail", args=[case.pk])).status_code == 404
