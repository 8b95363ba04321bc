"""A form shows the checks across fields together with the fields' own errors on the first submit."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.activities.models import Activity
from tongxin.core.roles import Role
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


def test_field_and_cross_field_errors_at_once(tree):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, tree.community_a1))
    start = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    response = client.post(
        reverse("activities:create"),
        {
            "title": "",  # a field error
            "kind": "themed_party_day",
            "region": tree.community_a1.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),  # before the start
            "signup_until": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),  # after it
            "place": "社区党群服务中心",
            "places": "0",  # below the minimum
            "audience": "members",
        },
    )
    form = response.context["form"]
    assert set(form.errors) >= {"title", "ends_at", "signup_until", "places"}
    body = response.content.decode()
    assert "请填写此项。" in body and "不能小于 1。" in body
    assert not Activity.objects.exists()


def test_open_means_different_things():
    from django.utils import translation

    from tongxin.activities.models import ActivityStatus
    from tongxin.meetings.models import TaskStatus

    with translation.override("zh-hans"):
        assert str(ActivityStatus.PUBLISHED.label) == "未结束"
        assert str(TaskStatus.OPEN.label) == "未完成"
