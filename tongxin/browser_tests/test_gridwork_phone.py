"""On a 390 px phone the grid worker logs a visit to a household of "my grid" in three screens,
records a finding in the same save, and the case appears in the community's list."""

import pytest
from playwright.sync_api import expect

from tongxin.cases.models import Case
from tongxin.cases.testing import load_case_configuration
from tongxin.conftest import console_errors
from tongxin.core.roles import Role
from tongxin.gridwork.models import LogEntry
from tongxin.gridwork.testing import any_tag, load_gridwork_configuration, make_household
from tongxin.testing import PASSWORD, build_tree, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _login(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def test_grid_worker_logs_a_visit_and_a_finding_becomes_a_case(phone_context, browser_context):
    load_case_configuration()
    load_gridwork_configuration()
    tree = build_tree()
    make_user(Role.GRID_WORKER, tree.grids["1.1"], username="wanggeyuan")
    make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="shequ_shuji")
    make_household(tree.building, "101")
    tagged = make_household(tree.building, "502", tag=any_tag().code)

    page = phone_context.new_page()
    errors = console_errors(page)
    _login(page, "wanggeyuan")
    page.goto("/gridwork/")
    # the tagged household never visited is due: one tap opens its visit (screen 3)
    expect(page.locator(".gw-households").first).to_contain_text(tagged.short_address)
    _no_sideways_scroll(page)
    # screen 1: the kind; screen 2: the household; screen 3: details and save
    page.goto("/gridwork/record/")
    page.locator(".gw-kinds a").first.click()  # 走访
    page.wait_for_url("**/gridwork/record/*/**")
    page.locator(".gw-households a", has_text=tagged.short_address).click()
    expect(page.locator("#id_note")).to_be_visible()  # screen 3 has loaded
    _no_sideways_scroll(page)
    page.fill("#id_note", "楼道电线裸露，存在安全隐患")
    page.check("#id_found_something")
    page.select_option("#id_category", index=1)
    page.locator("button.submit-big").click()
    page.wait_for_load_state("networkidle")
    entry = LogEntry.objects.get()
    assert entry.household == tagged and entry.case is not None
    expect(page.locator("dl.facts")).to_contain_text(entry.case.tracking_code)
    _no_sideways_scroll(page)
    assert Case.objects.count() == 1
    assert not errors, errors

    office = browser_context.new_page()
    office_errors = console_errors(office)
    _login(office, "shequ_shuji")
    office.goto("/cases/")
    expect(office.locator("body")).to_contain_text(entry.case.tracking_code)
    assert not office_errors, office_errors
