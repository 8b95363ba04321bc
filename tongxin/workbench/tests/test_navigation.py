"""The menu shows each role what it may do; the phone's tab bar goes to the roles that work on phones."""

import re

import pytest

from tongxin.cases.tests.pages import login, make_cast
from tongxin.core.roles import Role
from tongxin.testing import make_user
from tongxin.workbench.navigation import menu_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return make_cast(tree)


def urls(menu):
    return {link.url for _group, links, _current in menu.groups for link in links}


def test_the_secretary_sees_the_areas_of_the_work_and_no_admin_pages(cast):
    menu = menu_for(cast.secretary, "workbench:inbox")
    assert [g.key for g, _links, _c in menu.groups] == [
        "cases",
        "gridwork",
        "cobuilding",
        "members",
        "partylife",
        "statistics",
        "admin",
    ]
    assert {"/cases/", "/cases/hotline/", "/lists/needs/", "/partylife/compliance/", "/statistics/"} <= urls(
        menu
    )
    assert "/accounts/" not in urls(menu) and "/audit/" not in urls(menu)
    assert menu.start.current and menu.tabs == []
    assert menu.structure is not None and menu.structure.url == "/structure/"


def test_the_member_reaches_the_order_pool_from_the_menu_and_the_tab_bar(cast):
    menu = menu_for(cast.member, "cases:pool")
    assert "/cases/pool/" in urls(menu)
    assert "/statistics/" not in urls(menu) and "/cases/" not in urls(menu)
    tabs = [(link.url, link.current) for _tab, link, _icon in menu.tabs]
    assert tabs[1] == ("/cases/pool/", True)
    assert len(tabs) == 5 and sum(current for _url, current in tabs) == 1


def test_the_grid_worker_has_five_tabs_starting_with_the_tasks(cast):
    tabs = menu_for(cast.worker, "workbench:tasks").tabs
    assert [link.url for _t, link, _i in tabs] == [
        "/workbench/tasks/",
        "/gridwork/",
        "/cases/patrol/",
        "/notifications/",
        "/workbench/me/",
    ]
    assert tabs[0][1].current
    assert "/map/" in urls(menu_for(cast.worker, "workbench:tasks"))


def test_admins_see_only_their_pages(tree):
    auditor = menu_for(make_user(Role.AUDITOR, tree.city), "audit:list")
    assert [g.key for g, _l, _c in auditor.groups] == ["admin"]
    assert "/audit/" in urls(auditor) and "/accounts/" not in urls(auditor)
    security = menu_for(make_user(Role.SECURITY_ADMIN, tree.city), "accounts:list")
    assert "/accounts/" in urls(security) and "/audit/" not in urls(security)


def test_pages_draw_the_menu_and_mark_the_current_item(cast):
    body = cast.client("worker").get("/workbench/tasks/").content.decode()
    assert re.search(r'<a href="/workbench/tasks/" class="tab current" aria-current="page">', body)
    assert '<details class="navgroup' in body and 'aria-label="Main menu"' in body
    secretary = cast.client("secretary").get("/cases/").content.decode()
    assert 'class="navgroup current"' in secretary and 'class="tabbar"' not in secretary
    # anonymous pages have no menu and no tab bar
    public = login(make_user(None, None)).get("/login/")
    assert public.status_code in (200, 302)
