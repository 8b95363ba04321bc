"""Chinese first: zh-hans is the default, English is complete."""

import pytest
from django.conf import settings as real_settings
from django.test import Client


@pytest.mark.django_db
def test_chinese_is_the_default_language(settings):
    import tongxin.settings as project

    assert project.LANGUAGE_CODE == "zh-hans"
    settings.LANGUAGE_CODE = project.LANGUAGE_CODE
    page = Client().get("/login/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page and "Log in to Tongxin" not in page


@pytest.mark.django_db
def test_english_on_request(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/login/").content.decode()
    assert '<html lang="en">' in page and "Log in to Tongxin" in page


def test_both_languages_are_offered():
    assert [code for code, _name in real_settings.LANGUAGES] == ["zh-hans", "en"]
