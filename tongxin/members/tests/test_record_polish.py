"""The member's service record on a phone: hours with units, the services by month (the month's
own totals), points and stars only where the rules in force turn rankings on — on the page, the
cards, the API and the Excel export."""

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.core.roles import Role
from tongxin.members import selectors, services
from tongxin.members.testing import attend, make_employer, make_post, make_report, past_activity
from tongxin.members.tests.test_api import call
from tongxin.testing import make_member, make_user

pytestmark = pytest.mark.django_db


def _client(user, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def served(tree):
    """A reported member with two verified services (2 hours and 1.5 hours) this year."""
    person = make_member(tree.building, tree.orgs["grid_branch"], name="陈在职")
    user = make_user(Role.MEMBER, tree.community_a1)
    user.person = person
    user.save()
    unit = make_employer(tree)
    report = make_report(person, make_post(tree.community_a1), unit=unit, on=date(2020, 1, 1))
    organiser = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    days = 1 if timezone.localdate().timetuple().tm_yday > 2 else 0
    attend(past_activity(organiser, tree.community_a1, title="清理楼道", days_ago=days), organiser, user)
    attend(
        past_activity(organiser, tree.community_a1, title="政策宣讲", days_ago=days, hours=1.5),
        organiser,
        user,
    )
    services.service_record_refresh()
    return SimpleNamespace(person=person, user=user, report=report, unit=unit)


def _rankings_on(tree):
    services.member_rules_create(
        version="排名版",
        source="测试",
        valid_from=date(2000, 1, 1),
        region=tree.street_a,
        rankings_enabled=True,
    )


def test_hours_with_units_and_month_headings(tree, served):
    response = _client(served.user).get(reverse("members:me"))
    body = response.content.decode()
    assert "1.5 小时" in body and "2 小时" in body and "3.5 小时" in body
    month = response.context["months"][0]
    assert month.count == 2 and month.hours == Decimal("3.5")
    assert f"{month.first.year}年{month.first.month}月" in body


def test_month_totals_count_the_whole_month_on_every_page():
    def entry(day, hours):
        return SimpleNamespace(on=day, hours=Decimal(hours))

    every = [
        entry(date(2026, 5, 20), "2"),
        entry(date(2026, 5, 3), "1.5"),
        entry(date(2026, 4, 30), "4"),
        entry(date(2026, 4, 1), "1"),
    ]
    # the second page starts in the middle of May
    months = selectors.months_of(every[1:], every)
    assert [(m.first, m.count, m.hours) for m in months] == [
        (date(2026, 5, 1), 2, Decimal("3.5")),
        (date(2026, 4, 1), 2, Decimal("5")),
    ]
    assert [len(m.entries) for m in months] == [1, 2]


def test_points_and_stars_hidden_while_rankings_are_off(tree, served):
    body = _client(served.user).get(reverse("members:me")).content.decode()
    assert "积分" not in body and "★" not in body and "星级" not in body
    record = call(served.user, "get", "/members/me").json()
    assert record["totals"]["points"] is None and record["totals"]["stars"] is None
    assert record["totals"]["hours"] in ("3.5", "3.50", 3.5)
    card = _client(served.user).get(reverse("members:card", args=[served.report.pk])).content.decode()
    assert "积分" not in card and "★" not in card
    year = str(timezone.localdate().year)
    liaison = make_user(Role.PARTNER_LIAISON, tree.county)
    from tongxin.core.actors import SYSTEM
    from tongxin.partners.services import unit_liaisons_set

    unit_liaisons_set(unit=served.unit, liaisons=[liaison], actor=SYSTEM)
    export = _client(liaison, "en").get(reverse("members:cards_export"), {"period": year})
    from openpyxl import load_workbook

    header = next(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert "Points" not in header and "Stars" not in header and "Minimum met" in header


def test_points_and_stars_shown_where_rankings_are_on(tree, served):
    _rankings_on(tree)
    body = _client(served.user).get(reverse("members:me")).content.decode()
    assert "积分" in body and "★" in body
    record = call(served.user, "get", "/members/me").json()
    assert record["totals"]["points"] is not None and record["totals"]["stars"] is not None


def test_another_communitys_staff_cannot_read_the_record(tree, served):
    url = reverse("members:person_record", args=[served.person.pk])
    assert _client(make_user(Role.COMMUNITY_STAFF, tree.community_a1)).get(url).status_code == 200
    assert _client(make_user(Role.COMMUNITY_STAFF, tree.community_b1)).get(url).status_code == 404
    assert _client(make_user(Role.STREET_OFFICIAL, tree.street_b)).get(url).status_code == 404


def test_rules_page_reads_as_chinese(tree):
    client = _client(make_user(Role.COMMUNITY_STAFF, tree.community_a1))
    body = client.get(reverse("members:rules")).content.decode().split("<main", 1)[1]
    assert "tongxin-20" not in body and "Tongxin default" not in body and "/h</td>" not in body
    assert "同心默认规则" in body and "另每小时 0.5 分" in body
