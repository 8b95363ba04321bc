"""Co-building as its users meet it: the community publishes a need, the unit's liaison claims it
(htmx, in place), starts the project and reports the milestone, the community accepts and closes
it, and the results list shows it. Then the needs list on a phone."""

import pytest
from playwright.sync_api import expect

from tongxin.lists.models import Need, NeedStatus, Project, ProjectStatus
from tongxin.partners.testing import build_cobuilding, publish_need
from tongxin.testing import PASSWORD, build_tree

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


def _logout(page):
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url("**/login/")


def test_need_claimed_delivered_and_on_the_results_list(browser_context):
    tree = build_tree()
    cast = build_cobuilding(tree)
    page = browser_context.new_page()

    # the community publishes a need
    _login(page, cast.secretary.username)
    page.goto("/lists/needs/new/")
    page.fill("#id_title", "滚绣坊路灯不亮")
    page.select_option("#id_category", "facilities")
    page.select_option("#id_region", str(tree.community_a1.pk))
    page.select_option("#id_source", "grid_visit")
    page.fill("#id_beneficiaries_estimate", "260")
    page.fill("#id_description", "小区主干道路灯多盏不亮，老人夜间出行摔倒过")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("滚绣坊路灯不亮")
    need = Need.objects.get(title="滚绣坊路灯不亮")
    _logout(page)

    # the unit's liaison claims it from the needs list, in place
    _login(page, cast.liaison_a.username)
    page.goto("/lists/needs/")
    cell = page.locator(f"#claim-{need.pk}")
    cell.locator("button[type=submit]").click()
    expect(page.locator(f"#claim-{need.pk} .claim-ok")).to_be_visible()  # the cell says it is claimed
    expect(page.locator(f"#claim-{need.pk}")).to_contain_text("姑苏区水务局")
    assert Need.objects.get(pk=need.pk).status == NeedStatus.CLAIMED

    # and starts the project with a milestone, then reports it done
    page.goto(f"/lists/needs/{need.pk}/")
    page.locator(f"a[href='/lists/projects/new/?need={need.pk}']").click()
    page.fill("#id_lead_name", "张工")
    page.fill("#id_budget", "12000")
    page.fill("#id_milestones", "安装路灯 ×3")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#milestones")).to_contain_text("安装路灯")
    project = Project.objects.get(need=need)
    milestone = project.milestones.get()
    page.locator(f"form[action='/lists/milestones/{milestone.pk}/report/'] input[name=progress]").fill("100")
    page.locator(f"form[action='/lists/milestones/{milestone.pk}/report/'] button").click()
    expect(page.locator("#milestones")).to_contain_text("100%")
    assert page.locator(f"form[action='/lists/milestones/{milestone.pk}/accept/']").count() == 0
    _logout(page)

    # the community accepts the milestone and closes the project
    _login(page, cast.secretary.username)
    page.goto(f"/lists/projects/{project.pk}/")
    page.locator(f"form[action='/lists/milestones/{milestone.pk}/accept/'] button").click()
    expect(page.locator("#milestones .pill-accepted")).to_be_visible()
    page.fill("#id_result", "新装太阳能路灯20盏，夜间出行安全了")
    page.fill("#id_beneficiaries_count", "320")
    page.locator(f"form[action='/lists/projects/{project.pk}/close/'] button[type=submit]").click()
    expect(page.locator(".msg-success")).to_be_visible()
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.CLOSED

    # the results list (实效清单) shows it
    page.goto("/lists/results/")
    row = page.locator("#results-table tbody tr").first
    expect(row).to_contain_text("滚绣坊路灯不亮")
    expect(row).to_contain_text("姑苏区水务局")
    expect(row).to_contain_text("320")


def test_needs_list_on_a_phone(phone_context):
    tree = build_tree()
    cast = build_cobuilding(tree)
    for i in range(3):
        publish_need(tree.community_a1, cast.secretary, title=f"第{i + 1}件需求：老旧小区单元楼道扶手加装")
    page = phone_context.new_page()
    _login(page, cast.liaison_a.username)
    for path in ("/partners/", "/lists/needs/", "/partners/duty/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    page.goto("/lists/needs/")
    page.locator(".claim-cell button[type=submit]").first.click()
    expect(page.locator(".claim-ok").first).to_be_visible()
    page.wait_for_load_state("networkidle")  # the counters reload after the claim
