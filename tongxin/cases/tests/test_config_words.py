"""The configuration pages read as Chinese: no internal codes of versions or whistles, hours with
their unit, full-width brackets."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.cases.testing import category
from tongxin.cases.tests.pages import fresh_cache, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield from fresh_cache()


def test_config_pages_show_no_internal_codes(tree):
    cast = make_cast(tree)
    category()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(cast.county)
    for name in ("cases:config", "cases:config_rates"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        body = response.content.decode().split("<main", 1)[1]
        assert "tongxin-20" not in body, name
        assert not re.search(r"\d h\b", body), name
    body = client.get(reverse("cases:config")).content.decode()
    assert "小时" in body and "同心默认" in body
    # another street's official may not configure
    other = Client()
    other.force_login(cast.other)
    assert other.get(reverse("cases:config")).status_code == 403
