"""The security administrator issues an Open311 client key (shown once), the client reports with
it, and the key is revoked: on a phone, with the confirmation the revoke button asks."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tongxin.cases.models import Case
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, build_tree, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_issue_use_and_revoke_a_key_on_a_phone(phone_context):
    tree = build_tree()
    make_user(Role.SECURITY_ADMIN, tree.city, username="anquan")
    page = phone_context.new_page()
    page.goto("/login/")
    page.fill("#id_username", "anquan")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")
    page.goto("/open311/keys/")
    expect(page.locator("#client-key-issue")).to_be_visible()
    page.fill("#id_client_name", "市民随手拍")
    page.select_option("#id_region", str(tree.street_a.pk))
    page.click("#client-key-issue button[type=submit]")
    secret = page.locator("#client-key-secret").inner_text().strip()
    assert secret.startswith("o311_")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    answer = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": secret,
            "service_code": "0101",
            "lat": "31.31",
            "long": "120.605",
            "description": "垃圾桶满了没人清运",
        },
    )
    assert answer.status_code == 201 and Case.objects.count() == 1

    page.goto("/open311/keys/")
    assert secret not in page.content()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#client-keys button.danger")
    expect(page.locator("#client-keys .tag")).to_be_visible()
    refused = Client().post("/open311/v2/requests.json", {"api_key": secret, "service_code": "0101"})
    assert refused.status_code == 403
