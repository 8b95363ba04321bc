"""On a 390 px phone a Party member takes an order from the pool through the confirmation step,
then reads their service record: hours with units, services under month headings."""

import re

import pytest
from playwright.sync_api import expect

from tongxin.cases.models import Case, CaseStatus
from tongxin.cases.testing import load_case_configuration, report_case
from tongxin.cases.tests.pages import make_cast, move
from tongxin.conftest import console_errors
from tongxin.members import services as member_services
from tongxin.members.testing import attend, past_activity
from tongxin.testing import PASSWORD, build_tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def test_member_takes_an_order_with_confirmation_and_reads_hours_by_month(phone_context):
    load_case_configuration()
    tree = build_tree()
    cast = make_cast(tree)
    case = move(report_case(tree), ("accept", cast.secretary, {}), ("pool", cast.secretary, {}))
    attend(
        past_activity(cast.secretary, tree.community_a1, title="清理楼道", days_ago=0, hours=1.5),
        cast.secretary,
        cast.member,
    )
    member_services.service_record_refresh()

    page = phone_context.new_page()
    errors = console_errors(page)
    page.goto("/login/")
    page.fill("#id_username", "dangyuan")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")

    # the order pool: 接单 only opens the confirmation; nothing is taken yet
    page.goto("/cases/pool/")
    confirm = page.locator("details.take-confirm").first
    confirm_button = confirm.locator("form button[type=submit]")
    expect(confirm_button).to_be_hidden()
    confirm.locator("summary").click()
    expect(confirm_button).to_be_visible()
    _no_sideways_scroll(page)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.POOLED
    confirm_button.click()
    page.wait_for_load_state("networkidle")
    taken = Case.objects.get(pk=case.pk)
    assert taken.status == CaseStatus.IN_PROGRESS and taken.assignee_user_id == cast.member.pk

    # the record: hours with units, the month heading with the month's hours
    page.goto("/members/me/")
    heading = page.locator(".record-month").first
    expect(heading).to_be_visible()
    expect(heading).to_contain_text(re.compile(r"1\.5 (小时|hours)"))
    expect(page.locator(".record-stats")).to_contain_text(re.compile(r"1\.5 (小时|hours)"))
    expect(page.locator("td[data-label] >> text=/1\\.5 (小时|hours)/").first).to_be_visible()
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/shots-polish/browser-record-390.png", full_page=True)
    assert not errors, errors
