"""The whole loop through the real pages in Chromium: a resident reports on a phone (map pin in a
grid), the community pools it, a Party member takes and resolves it, the grid worker verifies it
on site and the resident rates it on the tracking page."""

import pytest
from playwright.sync_api import expect

from tongxin.cases.models import Case, CaseStatus, CaseTransition
from tongxin.cases.testing import load_case_configuration
from tongxin.conftest import console_errors
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, build_tree, make_member, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _log_in(context, username):
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    return page


def _act(page, action, note=""):
    """Open an action of the case page and submit it (htmx swaps the case in place)."""
    block = page.locator(f"#action-{action}")
    block.locator("summary").click()
    if note:
        block.locator("textarea").first.fill(note)
    block.locator("button[type=submit]").click()


def test_report_pool_take_resolve_verify_rate(
    _playwright_browser, live_server, phone_context, browser_context
):
    load_case_configuration()
    tree = build_tree()
    grid = tree.grids["1.1"]
    make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="shuji")
    make_user(Role.GRID_WORKER, grid, username="wangge")
    member = make_user(Role.MEMBER, grid, username="dangyuan")
    member.person = make_member(grid, tree.orgs["grid_branch"], name="李党员")
    member.save()

    # 1. the resident, on a phone, without an account
    resident = phone_context.new_page()
    resident_errors = console_errors(resident)
    resident.goto("/report/")
    resident.click(".cat-group-tile:has-text('环境卫生')")  # the tile picker: the group, then the category
    resident.click(".cat-option:has-text('垃圾清运')")
    resident.fill("#id_description", "3号楼东侧垃圾桶已经满了三天，没人清运")
    resident.select_option("#id_community", str(tree.community_a1.pk))
    target = resident.locator(f"path.pin-grid-{grid.pk}")
    expect(target).to_be_visible()
    target.click()
    expect(resident.locator("#pin-status")).to_contain_text(grid.name)
    assert resident.input_value("#id_lng") and resident.input_value("#id_lat")
    resident.fill("#id_reporter_phone", "13900001111")
    resident.click("#report-form button[type=submit]")
    resident.wait_for_url("**/track/**")
    code = resident.locator("#tracking-code").inner_text().strip()
    link = resident.input_value("#tracking-link")
    case = Case.objects.get(tracking_code=code)
    assert (case.grid_id, case.source, case.status) == (grid.pk, "resident", CaseStatus.REPORTED)
    assert "13900001111" not in resident.content()

    # 2. the community accepts it and puts it in the grid's order pool
    office = _log_in(browser_context, "shuji")
    office.goto(f"/cases/?q={code}")
    office.click(f"a.case-code:has-text('{code}')")
    _act(office, "accept")
    expect(office.locator("#case-main .notice-success")).to_be_visible()
    _act(office, "pool")
    expect(office.locator("#case-main .st-pooled").first).to_be_visible()

    # 3. the grid branch's Party member takes the order and records the result
    member_context = _playwright_browser.new_context(base_url=live_server.url, locale="zh-CN")
    member_page = _log_in(member_context, "dangyuan")
    member_page.goto("/cases/pool/")
    order = member_page.locator(f"li.case-card:has-text('{code}')")
    order.locator("summary").click()  # 接单 asks to confirm
    order.locator("form button[type=submit]").click()
    member_page.wait_for_url(f"**/cases/{case.pk}/")
    _act(member_page, "resolve", "垃圾已全部清运，并联系物业增加清运频次")
    member_page.wait_for_url(f"**/cases/{case.pk}/")
    expect(member_page.locator(".case-result")).to_contain_text("垃圾已全部清运")
    member_context.close()

    # 4. the grid worker checks on site, from the phone
    worker_context = _playwright_browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    worker = _log_in(worker_context, "wangge")
    worker.goto("/cases/mine/")
    card = worker.locator(f"li.case-card:has-text('{code}')")
    card.locator("details.action summary").click()
    card.locator("form[action$='/act/verify_pass/'] textarea").fill("现场已清理干净")
    card.locator("form[action$='/act/verify_pass/'] button[type=submit]").click()
    worker.wait_for_url("**/cases/mine/")
    worker_context.close()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED

    # 5. the resident rates it on the tracking page
    resident.goto(link)
    resident.check("input[name=rating][value=satisfied]")
    resident.check("input[name=solved][value=yes]")
    resident.fill("#id_comment", "处理很及时")
    resident.click(".rating-form button[type=submit]")
    resident.wait_for_url("**rated=yes")
    body = resident.content()
    for private in ("13900001111", "shuji", "dangyuan", "李党员", "wangge"):
        assert private not in body, private
    assert resident_errors == []

    case.refresh_from_db()
    assert (case.status, case.rating, case.assignee_user_id) == (CaseStatus.VERIFIED, "satisfied", member.pk)
    assert list(CaseTransition.objects.filter(case=case).values_list("action", flat=True)) == [
        "intake",
        "accept",
        "pool",
        "take",
        "resolve",
        "verify_pass",
        "rate",
    ]
