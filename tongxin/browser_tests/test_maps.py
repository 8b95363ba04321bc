"""Maps people can read, in Chromium: the boundaries under the grids and the cases, a legend for
every coloured layer, and a pin tapped outside every grid told so on a phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tongxin.cases.testing import load_case_configuration, report_case
from tongxin.conftest import console_errors
from tongxin.testing import PASSWORD, build_tree, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _log_in(context, username):
    page = context.new_page()
    errors = console_errors(page)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")
    return page, errors


def test_the_grid_map_and_the_case_map_draw_boundaries_and_legends(browser_context):
    load_case_configuration()
    tree = build_tree()
    report_case(tree)
    make_user("street_official", tree.street_a, username="jiedao")
    page, errors = _log_in(browser_context, "jiedao")

    page.goto(reverse("regions_map:community", args=[tree.community_a1.pk]))
    # the two communities of the street under the grids, the grids above them
    expect(page.locator("#grid-map.has-base")).to_be_visible()
    expect(page.locator(".base-pane path")).to_have_count(2)
    assert page.locator(".leaflet-overlay-pane path.grid-poly").count() == 2
    legend = page.locator("ul.map-key")
    expect(legend).to_contain_text(tree.community_a1.name)
    assert legend.locator("li .key-street").count() == 1 and legend.locator("li .key-community").count() == 1
    # the neighbouring community is named on the map once it is in view
    page.click(".leaflet-control-zoom-out")
    expect(page.locator(".base-label:not(.is-hidden)", has_text=tree.community_a2.name)).to_be_visible()

    page.goto(reverse("cases:list"))
    page.click("[data-case-map-toggle]")
    expect(page.locator("#case-map path.case-dot")).to_have_count(1)
    expect(page.locator("#case-map.has-base .base-pane path")).to_have_count(2)
    key = page.locator("#case-map-key")
    expect(key).to_be_visible()
    assert key.locator("[data-statuses]").count() == 8
    # a dot has the colour its status has in the legend
    dot = page.locator("#case-map path.case-dot").get_attribute("fill")
    swatch = page.locator('#case-map-key [data-statuses~="reported"] .key-swatch')
    assert dot == swatch.evaluate("n => getComputedStyle(n).backgroundColor")
    assert not errors, errors


def test_a_pin_outside_every_grid_is_told_so_on_a_phone(phone_context):
    load_case_configuration()
    build_tree()
    page = phone_context.new_page()
    errors = console_errors(page)
    page.goto(reverse("cases_public:report"))
    pin_map = page.locator("#pin-map")
    expect(page.locator("#pin-map .leaflet-overlay-pane path.pin-grid").first).to_be_visible()
    expect(page.locator("#pin-map .base-pane path")).to_have_count(3)
    pin_map.scroll_into_view_if_needed()
    box = pin_map.bounding_box()
    assert box is not None and box["width"] <= 390
    # the grids fill a wide box: below them, at the bottom of the map, lies no grid
    page.touchscreen.tap(box["x"] + 30, box["y"] + box["height"] - 20)
    message = pin_map.get_attribute("data-outside")
    assert message
    status = page.locator("#pin-status")
    expect(status).to_have_text(message)
    expect(status).to_have_class("pin-status bad")
    # sent as it is, the form stays and says it again
    page.locator("#report-form [type=submit]").last.click()
    expect(status).to_have_text(message)
    assert "/report/" in page.url
    assert not errors, errors
