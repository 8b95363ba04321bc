import pytest
from playwright.sync_api import expect

from tongxin.testing import PASSWORD, build_tree, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_login_in_chinese_then_english(browser_context):
    tree = build_tree()
    make_user("community_secretary", tree.community_a1, username="shuji")
    page = browser_context.new_page()
    page.goto("/")
    assert "/login/" in page.url
    page.fill("#id_username", "shuji")
    page.fill("#id_password", "wrong-password")
    page.click("main button[type=submit]")
    expect(page.locator("[role=alert]")).to_be_visible()
    page.fill("#id_username", "shuji")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.click("button[name=language][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
