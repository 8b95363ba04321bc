"""The personal-information notice (个人信息处理告知): the full page without an account, and the short
notice with the registry's purposes on the forms that take a resident's personal data."""

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.privacy.registry import Purpose

pytestmark = pytest.mark.django_db


def test_the_full_notice_is_public():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("privacy:notice"))
    assert response.status_code == 200
    body = response.content.decode()
    for purpose in Purpose:
        assert str(purpose.label).split(" (")[0].replace("'", "&#x27;") in body
    assert reverse("privacy:public_request") in body
    assert "1095 days" in body  # the configured retention of a reporter's phone


def test_the_report_form_carries_the_notice_with_its_purposes(tree):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("cases_public:report"))
    body = response.content.decode()
    assert 'id="privacy-notice"' in body and reverse("privacy:notice") in body
    assert "call them back" in body  # the purpose of cases.Case in the registry


def test_the_sign_up_form_carries_the_notice():
    with open("tongxin/activities/templates/activities/detail.html", encoding="utf-8") as template:
        source = template.read()
    sign_up = source.index("activities:signup'")
    assert source.index("{% privacy_notice", sign_up) - sign_up < 400


def test_the_venue_booking_form_carries_the_notice():
    # a resident books without an account: what is kept, for what, and the link to the full notice
    with open("tongxin/venues/templates/venues/public/book.html", encoding="utf-8") as template:
        source = template.read()
    form = source.index('<form method="post"')
    notice = source.index("{% url 'privacy:notice' %}", form)
    assert notice < source.index("</form>", form)
