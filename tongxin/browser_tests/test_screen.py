"""The big screen (大屏) in Chromium: the security administrator issues a display link, a wall
display opens it at 1920×1080 without an account, and it goes blank once the link is revoked."""

from typing import Any

import pytest
from playwright.sync_api import expect

from tongxin.cases.services import case_transition
from tongxin.cases.testing import load_case_configuration, report_case
from tongxin.cases.tests.cast import build_cast
from tongxin.conftest import console_errors
from tongxin.core.roles import Role
from tongxin.statistics.models import DisplayLink
from tongxin.testing import PASSWORD, build_tree, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]
WALL = {"width": 1920, "height": 1080}
# what the every-60s trigger does, without waiting a minute
POLL = (
    "htmx.ajax('GET', document.getElementById('scr-poll').getAttribute('hx-get'),"
    " {source: '#scr-poll', swap: 'none'})"
)


def _cases(tree) -> None:
    """Three cases in 滚绣坊社区, two of them closed; each with a reporter's name and phone."""
    cast = build_cast(tree)
    steps: list[tuple[Any, str, dict[str, Any]]] = [
        (cast.secretary, "accept", {}),
        (cast.secretary, "dispatch", {"to_user": cast.handler}),
        (cast.handler, "respond", {}),
        (cast.handler, "resolve", {"reason": "已联系欧阳震华，处理完毕"}),
        (cast.grid_worker, "verify_pass", {}),
        (cast.secretary, "follow_up", {"solved": True, "rating": "satisfied"}),
    ]
    for i in range(3):
        case = report_case(tree, reporter_name="欧阳震华", reporter_phone="13912345678")
        if i == 2:
            continue
        for actor, action, params in steps:
            case = case_transition(case=case, action=action, actor=actor, **params)


def _log_in(context, username):
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    return page


def test_issue_show_on_the_wall_and_revoke(_playwright_browser, live_server, browser_context, tmp_path):
    load_case_configuration()
    tree = build_tree()
    _cases(tree)
    make_user(Role.SECURITY_ADMIN, tree.county, username="anquan")

    # the security administrator issues a link for street A's command centre
    admin = _log_in(browser_context, "anquan")
    admin.goto("/statistics/displays/")
    admin.fill("#id_label", "双塔街道指挥中心")
    admin.select_option("#id_region", str(tree.street_a.pk))
    admin.click("#display-issue button[type=submit]")
    url = admin.locator("#display-link-url").inner_text().strip()
    assert "/screen/" in url

    # the wall display, without an account
    wall_context = _playwright_browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=WALL)
    wall = wall_context.new_page()
    errors = console_errors(wall)
    wall.goto(url)
    expect(wall.locator(".scr-node")).to_have_text("双塔街道")
    expect(wall.locator('#scr-year-tiles [data-code="cases.received"] .scr-num')).to_have_text("3")
    expect(wall.locator('#scr-today [data-code="cases.open"] .scr-num')).to_have_text("1")
    expect(wall.locator("#scr-map path.scr-area")).to_have_count(2)  # the street's two communities
    expect(wall.locator("#scr-map .scr-label").first).to_be_visible()
    expect(wall.locator("#scr-trend canvas").first).to_be_attached()
    expect(wall.locator("#scr-closed tbody tr")).to_have_count(2)
    expect(wall.locator("body")).not_to_contain_text("欧阳")
    # it fits the wall: no scrolling either way
    size = wall.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= WALL["width"] and size[1] <= WALL["height"], size
    wall.screenshot(path=str(tmp_path / "screen.png"))
    assert DisplayLink.objects.get().last_seen_at is not None

    # the minute's refresh swaps the figures in place, the chart and the map stay
    with wall.expect_response(lambda r: "/live/" in r.url and r.status == 200):
        wall.evaluate(POLL)
    expect(wall.locator('#scr-year-tiles [data-code="cases.received"] .scr-num')).to_have_text("3")
    expect(wall.locator("#scr-trend canvas").first).to_be_attached()
    assert errors == [], errors

    # revoked: the next refresh blanks the screen, and the link opens nothing any more
    admin.goto("/statistics/displays/")
    admin.on("dialog", lambda dialog: dialog.accept())
    admin.locator("#display-links button.danger").click()
    expect(admin.locator("#display-links .tag")).to_have_count(1)  # revoked
    with wall.expect_response(lambda r: "/live/" in r.url and r.status == 404):
        wall.evaluate(POLL)
    expect(wall.locator(".scr-gone")).to_be_visible()
    expect(wall.locator(".scr-num")).to_have_count(0)
    response = wall.goto(url)
    assert response is not None and response.status == 404
    expect(wall.locator("body")).not_to_contain_text("双塔街道")
    wall_context.close()
