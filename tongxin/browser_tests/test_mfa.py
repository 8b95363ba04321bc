"""An administrator sets up the authenticator app on a phone (390 px), keeps the recovery codes and
logs in again with the password and a code."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, build_tree, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, offset):06d}"


def test_enrol_then_log_in_with_a_code_on_a_phone(phone_context, settings):
    settings.TONGXIN_MFA_REQUIRED = "admins"
    tree = build_tree()
    make_user(Role.SECURITY_ADMIN, tree.city, username="anquan")
    page = phone_context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/login/")
    page.fill("#id_username", "anquan")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/accounts/second-factor/")
    qr = page.locator(".qr-box svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and 150 <= box["width"] <= 390  # fits the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    device = TOTPDevice.objects.get(user__username="anquan", confirmed=False)
    assert page.locator("#totp-secret").inner_text().strip()
    page.fill("#id_code", code(device))
    page.click("main button[type=submit]")
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    page.click("main a.button.primary")
    page.wait_for_load_state()
    start = page.url
    assert "/second-factor/" not in start and "/login/" not in start
    # log out and in again: the code step comes after the password
    page.goto("/accounts/password/")
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", "anquan")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/login/code/")
    page.fill("#id_code", code(device, offset=1))
    page.press("#id_code", "Enter")
    page.wait_for_url(start)
    expect(page.locator("h1").first).to_be_visible()
    assert not errors, errors
