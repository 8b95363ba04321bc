"""On a 390 px phone a resident without an account finds the venue nearest to them, books a room
(the booking's private page shows a masked phone only), and the community's keeper approves it from
the approvals queue; the resident's link then reads “approved”."""

import pytest
from playwright.sync_api import expect

from tongxin.conftest import console_errors
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, build_tree, make_user
from tongxin.venues.models import Booking, BookingStatus
from tongxin.venues.testing import make_venue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def test_resident_finds_a_venue_near_them_books_and_the_keeper_approves(phone_context):
    tree = build_tree()
    make_user(Role.COMMUNITY_STAFF, tree.community_a1, username="keeper")
    near, _room = make_venue(tree.community_a1, name="滚绣坊党群服务中心", lat=31.31, lng=120.61)
    make_venue(tree.community_b1, name="平江路党群服务中心", lat=31.45, lng=120.80)
    phone_context.grant_permissions(["geolocation"])
    phone_context.set_geolocation({"latitude": 31.311, "longitude": 120.611})

    page = phone_context.new_page()
    errors = console_errors(page)
    # screen 1: venues near me; one tap asks the phone where it is and lists the nearest first
    page.goto("/venues/")
    page.click("#venues-locate")
    page.wait_for_url("**lat=**")
    expect(page.locator(".venue-card .venue-name").first).to_have_text(near.name)
    _no_sideways_scroll(page)
    # screen 2: the booking form, straight from the nearest venue's card
    page.locator(".venue-card").first.locator("a.button").click()
    page.wait_for_load_state("load")
    _no_sideways_scroll(page)
    page.fill("#id_starts", "15:00")
    page.fill("#id_ends", "17:00")
    page.fill("#id_purpose", "楼栋议事会")
    page.fill("#id_attendees", "8")
    page.fill("#id_name", "张三丰")
    page.fill("#id_phone", "13800001234")
    page.click(".booking-form button[type=submit]")
    # screen 3: the private page: status and a masked phone, no name
    expect(page.locator("#booking-status")).to_have_attribute("data-status", "requested")
    body = page.content()
    assert "138****1234" in body and "13800001234" not in body and "张三丰" not in body
    _no_sideways_scroll(page)
    private_link = page.url.split("?")[0]
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.REQUESTED

    # the keeper approves it from the queue, on their phone too
    keeper = phone_context.new_page()
    keeper_errors = console_errors(keeper)
    keeper.goto("/login/")
    keeper.fill("#id_username", "keeper")
    keeper.fill("#id_password", PASSWORD)
    keeper.press("#id_password", "Enter")
    keeper.wait_for_url("**/")
    keeper.goto("/venues/manage/queue/")
    request = keeper.locator(f"#booking-{booking.pk}")
    expect(request).to_contain_text("138****1234")
    request.locator("button.primary").click()
    keeper.wait_for_load_state("load")
    expect(keeper.locator(f"#booking-{booking.pk}")).to_have_count(0)
    _no_sideways_scroll(keeper)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED

    page.goto(private_link)
    expect(page.locator("#booking-status")).to_have_attribute("data-status", "approved")
    assert not errors and not keeper_errors, (errors, keeper_errors)
