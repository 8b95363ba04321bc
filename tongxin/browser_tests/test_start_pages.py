"""Each role logs in, lands on its start page and does the first thing from there in the fewest
clicks, in Chromium; then axe-core finds no serious or critical accessibility problem on the start
pages and the main pages (case list, case detail, overview)."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tongxin.cases.models import Case, CaseStatus
from tongxin.cases.services import case_transition
from tongxin.cases.testing import load_case_configuration, report_case
from tongxin.conftest import console_errors
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, build_tree, make_member, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def people(transactional_db) -> dict[str, Any]:
    load_case_configuration()
    tree = build_tree()
    grid = tree.grids["1.1"]
    member = make_user(Role.MEMBER, grid, username="dangyuan")
    member.person = make_member(grid, tree.orgs["grid_branch"], name="李党员")
    member.save()
    return {
        "tree": tree,
        "secretary": make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="shuji"),
        "staff": make_user(Role.COMMUNITY_STAFF, tree.community_a1, username="shegong"),
        "worker": make_user(Role.GRID_WORKER, grid, username="wangge"),
        "street": make_user(Role.STREET_OFFICIAL, tree.street_a, username="jiedao"),
        "member": member,
    }


def _context(browser: Any, live_server: Any, **options: Any) -> Any:
    return browser.new_context(base_url=live_server.url, locale="zh-CN", **options)


def _log_in(context: Any, username: str) -> tuple[Any, list[str]]:
    page = context.new_page()
    errors = console_errors(page)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state("load")
    return page, errors


def _serious(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))"""
    )
    return list(found)


def _audit(browser: Any, live_server: Any, username: str, paths: list[str], **options: Any) -> None:
    """Axe on each page, in a context that lets the test inject axe despite the CSP (for this only)."""
    context = _context(browser, live_server, bypass_csp=True, **options)
    try:
        page, _errors = _log_in(context, username)
        problems = {}
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            found = _serious(page)
            if found:
                problems[path] = found
        assert problems == {}, "\n".join(
            f"{path}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
            for path, vs in problems.items()
            for v in vs
        )
    finally:
        context.close()


def test_secretary_lands_on_the_inbox_and_accepts_the_first_new_case(
    _playwright_browser, live_server, people
):
    tree = people["tree"]
    first = report_case(tree)
    report_case(tree, at=(120.615, 31.31))  # a newer one, in grid 1.2
    context = _context(_playwright_browser, live_server, **DESKTOP)
    page, errors = _log_in(context, "shuji")
    expect(page).to_have_url(f"{live_server.url}/workbench/inbox/")
    new = page.locator("#wb-new")
    expect(new.locator("h2 .section-count")).to_have_text("2")
    new.locator(".wb-item a.wb-title").first.click()  # the one waiting longest
    page.wait_for_url(f"**/cases/{first.pk}/")
    block = page.locator("#action-accept")
    block.locator("summary").click()
    block.locator("button[type=submit]").click()
    expect(page.locator("#case-main .notice-success")).to_be_visible()
    assert Case.objects.get(pk=first.pk).status == CaseStatus.ACCEPTED
    # the menu is one line at 1280 px: every group sits on the row of the first
    tops = page.eval_on_selector_all(
        ".mainnav > a, .navgroup > summary", "els => els.map(e => e.getBoundingClientRect().top)"
    )
    assert max(tops) - min(tops) < 8, tops
    context.close()
    assert errors == []
    _audit(
        _playwright_browser,
        live_server,
        "shuji",
        ["/workbench/inbox/", "/cases/", f"/cases/{first.pk}/", "/structure/"],
        **DESKTOP,
    )


def test_grid_worker_on_a_phone_opens_the_most_urgent_task(_playwright_browser, live_server, people):
    tree, secretary, staff, worker = people["tree"], people["secretary"], people["staff"], people["worker"]
    # an older case handled by the community staff, waiting for the worker's check on site
    handled = report_case(tree)
    for action, actor, params in [
        ("accept", secretary, {}),
        ("dispatch", secretary, {"to_user": staff}),
        ("respond", staff, {}),
        ("resolve", staff, {"reason": "已清运"}),
    ]:
        handled = case_transition(case=handled.pk, action=action, actor=actor, **params)
    # a new dispatch to the worker, due in hours: it comes first
    fresh = report_case(tree)
    case_transition(case=fresh.pk, action="accept", actor=secretary)
    case_transition(case=fresh.pk, action="dispatch", actor=secretary, to_user=worker)
    context = _context(_playwright_browser, live_server, **PHONE)
    page, errors = _log_in(context, "wangge")
    expect(page).to_have_url(f"{live_server.url}/workbench/tasks/")
    tabbar = page.locator("nav.tabbar")
    expect(tabbar).to_be_visible()
    expect(tabbar.locator("a[aria-current=page]")).to_have_attribute("href", "/workbench/tasks/")
    expect(page.locator(".nav-toggle")).to_be_visible()
    items = page.locator(".wb-item a.wb-title")
    expect(items).to_have_count(2)
    items.first.click()
    page.wait_for_url(f"**/cases/{fresh.pk}/")
    context.close()
    assert errors == []
    _audit(_playwright_browser, live_server, "wangge", ["/workbench/tasks/", f"/cases/{fresh.pk}/"], **PHONE)


def test_member_on_a_phone_reaches_the_order_pool_from_the_tab_bar(_playwright_browser, live_server, people):
    tree, secretary = people["tree"], people["secretary"]
    pooled = report_case(tree)
    case_transition(case=pooled.pk, action="accept", actor=secretary)
    case_transition(case=pooled.pk, action="pool", actor=secretary)
    context = _context(_playwright_browser, live_server, **PHONE)
    page, errors = _log_in(context, "dangyuan")
    expect(page).to_have_url(f"{live_server.url}/workbench/member/")
    expect(page.locator(".wb-tile.primary b")).to_have_text("1")
    page.locator("nav.tabbar a[href='/cases/pool/']").click()
    page.wait_for_url("**/cases/pool/")
    expect(page.locator("nav.tabbar a[aria-current=page]")).to_have_attribute("href", "/cases/pool/")
    expect(page.locator("li.case-card", has_text=pooled.tracking_code)).to_be_visible()
    context.close()
    assert errors == []
    _audit(_playwright_browser, live_server, "dangyuan", ["/workbench/member/", "/cases/pool/"], **PHONE)


def test_street_official_lands_on_the_overview(_playwright_browser, live_server, people):
    context = _context(_playwright_browser, live_server, **DESKTOP)
    page, errors = _log_in(context, "jiedao")
    expect(page).to_have_url(f"{live_server.url}/statistics/")
    expect(page.locator("main h1")).to_be_visible()
    # the groups open as drop-downs, one at a time
    groups = page.locator("details[data-navgroup] > summary")
    groups.nth(0).click()
    expect(page.locator("details[data-navgroup]").nth(0).locator(".navmenu")).to_be_visible()
    groups.nth(1).click()
    assert page.eval_on_selector_all("details[data-navgroup]", "els => els.filter(e => e.open).length") == 1
    expect(page.locator("nav.tabbar")).to_be_hidden()
    context.close()
    assert errors == []
    _audit(_playwright_browser, live_server, "jiedao", ["/statistics/"], **DESKTOP)


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [
        (Role.PARTNER_LIAISON, "/lists/needs/"),
        (Role.HOTLINE_OPERATOR, "/cases/hotline/"),
        (Role.SECURITY_ADMIN, "/accounts/"),
        (Role.AUDITOR, "/audit/"),
        (Role.SYSTEM_ADMIN, "/structure/"),
    ],
)
def test_every_other_role_lands_on_its_own_page(_playwright_browser, live_server, people, role, lands_on):
    """The roles without an inbox open their own work page, which reads without console errors
    and with no serious accessibility problem."""
    tree = people["tree"]
    where = tree.city if role in {Role.SECURITY_ADMIN, Role.AUDITOR, Role.SYSTEM_ADMIN} else tree.street_a
    make_user(role, where, username="someone")
    context = _context(_playwright_browser, live_server, **DESKTOP)
    page, errors = _log_in(context, "someone")
    expect(page).to_have_url(f"{live_server.url}{lands_on}")
    expect(page.locator("main h1")).to_be_visible()
    context.close()
    assert errors == []
    _audit(_playwright_browser, live_server, "someone", [lands_on], **DESKTOP)
