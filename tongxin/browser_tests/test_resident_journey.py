"""The case journey in Chromium: a resident on a phone reports with the tile picker, keeps the
tracking page (QR code, copy button) and later finds the report again by its code and the last four
digits of the phone; the community secretary, at a desk, accepts and dispatches in one step."""

import pytest
from playwright.sync_api import expect

from tongxin.cases.models import Case, CaseStatus, CaseTransition
from tongxin.cases.testing import load_case_configuration, report_case
from tongxin.conftest import console_errors
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, build_tree, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_resident_reports_keeps_the_link_and_finds_the_report_again(phone_context):
    load_case_configuration()
    tree = build_tree()
    phone_context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = phone_context.new_page()
    errors = console_errors(page)

    page.goto("/report/")
    # the two-level picker: kinds of problem first, then the categories of the one chosen
    expect(page.locator(".cat-group-tile").first).to_be_visible()
    expect(page.locator(".cat-option").first).to_be_hidden()
    page.click(".cat-group-tile:has-text('道路设施')")
    expect(page.locator(".cat-option:has-text('路灯损坏')")).to_be_visible()
    expect(page.locator(".cat-option:has-text('垃圾清运')")).to_be_hidden()
    page.click(".cat-option:has-text('路灯损坏')")
    assert page.is_checked(".cat-option:has-text('路灯损坏') input")
    page.fill("#id_description", "小区北门路灯坏了一个星期，晚上很黑")
    page.select_option("#id_community", str(tree.community_a1.pk))
    page.fill("#id_reporter_phone", "13900004321")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/track/**")

    code = page.locator("#tracking-code").inner_text().strip()
    link = page.input_value("#tracking-link")
    case = Case.objects.get(tracking_code=code)
    assert case.category.name == "路灯损坏" and case.status == CaseStatus.REPORTED
    expect(page.locator(".qr-box svg.qr")).to_be_visible()
    copy = page.locator("button[data-copy='#tracking-link']")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator(".copy-status")).not_to_be_empty()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    # later, the link is lost: the code and the last four digits bring the resident back to it
    page.goto("/report/")
    page.click("a[href='/track/']")
    page.fill("#id_code", code.lower())
    page.fill("#id_digits", "4321")
    page.click("main button[type=submit]")
    page.wait_for_url(link)
    expect(page.locator("#tracking-code")).to_have_text(code)
    assert "13900004321" not in page.content()
    assert errors == []


def test_secretary_accepts_and_dispatches_in_one_step(browser_context):
    load_case_configuration()
    tree = build_tree()
    make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="shuji")
    worker = make_user(Role.GRID_WORKER, tree.grids["1.1"], username="wangge")
    case = report_case(tree)
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = console_errors(page)
    page.goto("/login/")
    page.fill("#id_username", "shuji")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()

    page.goto(f"/cases/{case.pk}/")
    block = page.locator("#action-accept_dispatch")
    block.locator("summary").click()
    option = block.locator(f"option[value='u{worker.pk}']")
    assert option.inner_text().startswith("wangge · ") and tree.grids["1.1"].name in option.inner_text()
    block.locator("select").select_option(f"u{worker.pk}")
    block.locator("button[type=submit]").click()
    expect(page.locator("#case-main .notice-success")).to_be_visible()
    expect(page.locator("#case-main .st-dispatched").first).to_be_visible()

    case.refresh_from_db()
    assert (case.status, case.assignee_user_id) == (CaseStatus.DISPATCHED, worker.pk)
    assert list(CaseTransition.objects.filter(case=case).values_list("action", flat=True)) == [
        "intake",
        "accept_dispatch",
    ]
    assert errors == []
