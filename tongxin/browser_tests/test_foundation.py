"""The foundation as a user meets it: log in, open the tree, the map, an import with a bad row."""

import pytest
from playwright.sync_api import expect

from tongxin.people.models import Person
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
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def test_tree_and_map(browser_context):
    tree = build_tree()
    make_user("street_official", tree.street_a, username="jiedao")
    page = browser_context.new_page()
    _login(page, "jiedao")
    page.goto("/structure/")  # the street official starts from the overview; the tree is one click away

    # the tree starts at the street; the other street is nowhere
    tree_panel = page.locator(".panel-tree")
    expect(tree_panel).to_contain_text("双塔街道")
    expect(page.locator("body")).not_to_contain_text("平江街道")
    community = tree_panel.locator("li.tree-item:has(> .tree-label:has-text('滚绣坊社区'))").first
    community.locator("> details > summary").click()  # htmx loads the grids
    expect(community).to_contain_text("滚绣坊社区第1网格")

    # the map of the community: grids drawn, a point located to its grid
    page.goto(f"/map/{tree.community_a1.pk}/")
    expect(page.locator("#grid-map .leaflet-interactive").first).to_be_attached()
    page.fill("#map-find-input", "120.615, 31.31")
    page.locator("#map-find button[type=submit]").click()
    expect(page.locator("#map-result")).to_contain_text("滚绣坊社区第2网格")


def test_phone_width_home_stacks(phone_context):
    tree = build_tree()
    make_user("grid_worker", tree.grids["1.1"], username="wanggeyuan")
    page = phone_context.new_page()
    _login(page, "wanggeyuan")
    page.goto("/structure/")
    expect(page.locator("h1")).to_contain_text("滚绣坊社区第1网格")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def _people_file(tmp_path, rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "人员"
    sheet.append(["姓名", "性别", "身份证号", "手机号", "居住区划编码", "政治面貌"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "people.xlsx"
    book.save(path)
    return path


def test_import_with_a_bad_row_writes_nothing(browser_context, tmp_path):

    tree = build_tree()
    make_user("community_secretary", tree.community_a1, username="shuji")
    grid = tree.grids["1.1"].code
    path = _people_file(
        tmp_path,
        [
            ["王芳", "女", "", "13812341234", grid, "群众"],
            ["李强", "男", "", "1381234", grid, "群众"],  # row 3: phone too short
            ["赵敏", "女", "", "13900001111", "320508020001", "群众"],  # row 4: another street
        ],
    )
    page = browser_context.new_page()
    _login(page, "shuji")
    page.goto("/transfer/")
    form = page.locator("form[action='/transfer/people/import/']")
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("button[type=submit]:not([name=dry_run])").click()
    report = page.locator("table.transfer-report")
    expect(report).to_be_visible()
    expect(report.locator("tbody tr", has_text="手机号")).to_contain_text("3")  # row, column, masked value
    expect(report.locator("tbody tr", has_text="320508020001")).to_contain_text("4")
    assert Person.objects.count() == 0, "a file with a bad row must write nothing"
