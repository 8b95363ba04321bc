"""Every error message of the common field types reads as plain Chinese, not Django's stock text;
numbers read as officials write them."""

import re
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from tongxin.core.templatetags.numbers import amount, count, hours, money

CJK = re.compile(r"[\u4e00-\u9fff]")
# Django's own zh-hans wording: none of it may reach a page
STOCK = [
    "确认",
    "确保",
    "这个字段是必填项",
    "输入一个有效的",
    "输入整数",
    "选择一个有效的选项",
    "不超过",
    "小数点前",
]


class EveryKind(forms.Form):
    text = forms.CharField(max_length=3)
    short = forms.CharField(min_length=4)
    required = forms.CharField()
    whole = forms.IntegerField(min_value=1, max_value=9)
    too_big = forms.IntegerField(max_value=9)
    too_small = forms.IntegerField(min_value=5)
    number = forms.DecimalField(max_digits=4, decimal_places=1)
    whole_digits = forms.DecimalField(max_digits=4, decimal_places=2)
    places = forms.DecimalField(max_digits=6, decimal_places=1)
    not_a_number = forms.FloatField()
    day = forms.DateField()
    moment = forms.DateTimeField()
    hour = forms.TimeField()
    choice = forms.ChoiceField(choices=[("a", "A")])
    choices = forms.MultipleChoiceField(choices=[("a", "A")])
    email = forms.EmailField()
    url = forms.URLField(assume_scheme="https")
    flag = forms.BooleanField()


BAD = {
    "text": "abcd",
    "short": "ab",
    "whole": "x",
    "too_big": "10",
    "too_small": "1",
    "number": "12345",
    "whole_digits": "123.4",
    "places": "1.55",
    "not_a_number": "abc",
    "day": "2026-13-45",
    "moment": "yesterday",
    "hour": "25:99",
    "choice": "z",
    "choices": ["z"],
    "email": "not-an-address",
    "url": "not a url",
}


def test_every_message_is_plain_chinese():
    with translation.override("zh-hans"):
        form = EveryKind(BAD)
        assert not form.is_valid()
        assert set(form.errors) == set(EveryKind.base_fields)  # every field reported at once
        for name, errors in form.errors.items():
            for message in errors:
                assert CJK.search(message), (name, message)
                assert not any(stock in message for stock in STOCK), (name, message)
                assert not re.search(
                    r"[A-Za-z]{3,}",
                    message.replace("name@example.com", "").replace("https://example.com", ""),
                ), (name, message)
                assert "：" in message or "，" in message or message.endswith("。"), (name, message)


def test_model_choice_fields_too(tree):
    from tongxin.regions.models import Region

    class Pick(forms.Form):
        region = forms.ModelChoiceField(queryset=Region.objects.all())
        regions = forms.ModelMultipleChoiceField(queryset=Region.objects.all())

    with translation.override("zh-hans"):
        form = Pick({"region": "999999", "regions": ["999999"]})
        assert not form.is_valid()
        for errors in form.errors.values():
            assert all(CJK.search(m) and not any(s in m for s in STOCK) for m in errors)


pytestmark = pytest.mark.django_db


def test_numbers_as_officials_write_them():
    with translation.override("zh-hans"):
        assert hours(2) == "2 小时" and hours(Decimal("1.50")) == "1.5 小时" and hours(None) == "0 小时"
        assert money(9800) == "9,800元" and money("125000") == "12.5万元" and money(None) == "—"
        assert money(Decimal("1234567.89")) == "123.46万元"
        assert count(12345) == "12,345"
        assert amount(Decimal("3000"), "元") == "3,000元" and amount(Decimal("1200"), "人次") == "1,200 人次"
    with translation.override("en"):
        assert hours(1) == "1 hour" and hours(2) == "2 hours"


def test_version_labels():
    from tongxin.core.templatetags.words import version_label

    with translation.override("zh-hans"):
        assert version_label("tongxin-2026.1") == "同心默认 2026.1 版"
        assert version_label("苏州2026版") == "苏州2026版" and version_label(None) == ""


def test_period_labels():
    from tongxin.core.templatetags.words import period_label

    with translation.override("zh-hans"):
        assert period_label("2026Q4") == "2026年第4季度" and period_label("2025") == "2025年"
        assert period_label("其他") == "其他"
