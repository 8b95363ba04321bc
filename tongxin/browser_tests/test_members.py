"""A member reports online on a phone, signs up for an activity; the organiser confirms attendance;
the member's record and the employer's card show it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tongxin.activities.services import activity_update
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.members.testing import future_activity, make_employer, make_post
from tongxin.partners.services import unit_liaisons_set
from tongxin.testing import PASSWORD, build_tree, make_member, make_user

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


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def test_report_sign_up_confirm_and_card(phone_context, browser_context):

    tree = build_tree()
    make_post(tree.community_a1, name="政策宣传岗")
    make_post(tree.community_a1, name="助老扶幼岗", kind="elderly_care")
    unit = make_employer(tree, name="姑苏区人民医院")
    person = make_member(tree.building, tree.orgs["grid_branch"], name="林在职")
    member = make_user(Role.MEMBER, tree.community_a1, username="dangyuan")
    member.person = person
    member.save()
    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="shuji")
    liaison = make_user(Role.PARTNER_LIAISON, tree.county, username="lianluo")
    unit_liaisons_set(unit=unit, liaisons=[liaison], actor=SYSTEM)
    activity = future_activity(secretary, tree.community_a1, title="关爱独居老人上门服务", places=10)

    # 1. on a phone: report to the community, choosing a post and the employer
    phone = phone_context.new_page()
    _login(phone, "dangyuan")
    phone.goto("/members/")
    phone.get_by_role("link", name="Report to my community").or_(
        phone.get_by_role("link", name="报到")
    ).first.click()
    expect(phone.locator("h1")).to_be_visible()
    expect(phone.locator(".report-form")).to_contain_text("滚绣坊社区")
    _no_sideways_scroll(phone)
    phone.locator("label.post-choice", has_text="助老扶幼岗").click()
    phone.select_option("#id_employer_unit", label=unit.name)
    phone.locator(".report-form button[type=submit]").click()
    phone.wait_for_url("**/members/me/")
    expect(phone.locator(".report-card")).to_contain_text("助老扶幼岗")
    expect(phone.locator(".report-card")).to_contain_text(unit.name)
    _no_sideways_scroll(phone)

    # 2. sign up for the activity, still on the phone
    phone.goto(f"/activities/{activity.pk}/")
    phone.locator("#signup-box button[type=submit]").click()
    expect(phone.locator("#signup-box .tag.green").first).to_be_visible()
    _no_sideways_scroll(phone)

    # the day comes: the activity takes place
    start = timezone.now() - timedelta(hours=3)
    activity_update(activity=activity, actor=secretary, starts_at=start, ends_at=start + timedelta(hours=2))

    # 3. the organiser confirms attendance afterwards (no check-in on the day)
    desk = browser_context.new_page()
    _login(desk, "shuji")
    desk.goto(f"/activities/{activity.pk}/attendance/")
    box = desk.locator(".attendance-list label", has_text="林在职").locator("input")
    expect(box).to_be_checked()  # signed up: ticked by default, the organiser unticks absentees
    desk.locator("form.form-card button[type=submit]").click()
    desk.wait_for_url(f"**/activities/{activity.pk}/")
    expect(desk.locator(".signup-box, .card").first).to_be_visible()

    # 4. the member's record shows it
    phone.goto("/members/me/")
    expect(phone.locator("table")).to_contain_text("关爱独居老人上门服务")
    expect(phone.locator(".record-stats")).to_contain_text("1")

    # 5. and so does the card the employer's Party organisation reads
    browser_context.clear_cookies()  # the organiser's session ends; the employer's liaison logs in
    employer = browser_context.new_page()
    _login(employer, "lianluo")
    employer.goto("/members/cards/")
    expect(employer.locator(".cards-grid")).to_contain_text("林在职")
    employer.locator(".card-link", has_text="林在职").click()
    expect(employer.locator(".record-card")).to_contain_text("关爱独居老人上门服务")
