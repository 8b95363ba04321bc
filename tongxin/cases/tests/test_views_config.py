"""Configuration pages: categories and limits, whistle routes, holidays (cases.configure only)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tongxin.cases.models import CalendarDay, CaseCategory, WhistleRouteStep, WhistleType
from tongxin.cases.testing import category, report_case
from tongxin.cases.tests.pages import (
    dispatched,
    fresh_cache,
    make_cast,
    move,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return make_cast(tree)


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield from fresh_cache()


CONFIG = "/cases/config/"
TZ = ZoneInfo("Asia/Shanghai")


def category_data(**overrides):
    data = {
        "code": "0101",
        "name": "垃圾清运",
        "parent": str(category("01").pk),
        "response_hours": "1",
        "handling_hours": "8",
        "closure_hours": "16",
        "warn_share": "0.75",
        "auto_whistle": "on",
        "active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "url",
    [
        CONFIG,
        "/cases/config/categories/new/",
        "/cases/config/whistles/new/",
        "/cases/config/calendar/",
    ],
)
def test_configuration_needs_the_capability(client, cast, url):
    assert client.get(url).status_code == 302
    assert cast.client("secretary").get(url).status_code == 403
    assert cast.client("street").get(url).status_code == 403
    assert cast.client("admin").get(url).status_code == 200
    assert cast.client("county").get(url).status_code == 200


def test_edit_limits_applies_to_newly_dispatched_cases(cast):
    before = dispatched(cast)  # on the clock with the default limits (24 working hours to handle)
    url = reverse("cases:config_category", args=[category("0101").pk])
    assert cast.client("admin").get(url).status_code == 200
    response = cast.client("admin").post(url, category_data())
    assert response.status_code == 302
    changed = category("0101")
    assert (changed.handling_hours, changed.warn_share, changed.auto_whistle) == (
        Decimal("8"),
        Decimal("0.75"),
        True,
    )
    assert changed.rules_version.startswith("local-")
    old_due = before.handling_due
    before.refresh_from_db()
    assert before.handling_due == old_due  # a case on the clock keeps its deadline
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    after = report_case(cast.tree, now=monday)
    after = move(
        after,
        ("accept", cast.secretary, {"now": monday}),
        ("dispatch", cast.secretary, {"to_user": cast.staff, "now": monday}),
    )
    # 8 working hours: 09:00–12:00 and 14:00–17:30 on Monday (6.5 h), then 08:30–10:00 on Tuesday
    assert after.handling_due == datetime(2026, 11, 24, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"handling_hours": "0"}, "response_hours"),
        ({"response_hours": "10", "handling_hours": "8"}, "handling_hours"),
        ({"warn_share": "1.5"}, "warn_share"),
        ({"code": "0102"}, "code"),  # taken by another category
        ({"parent": "x"}, "parent"),
        ({"name": ""}, "name"),
    ],
)
def test_category_bad_input_writes_nothing(cast, overrides, field):
    url = reverse("cases:config_category", args=[category("0101").pk])
    response = cast.client("admin").post(url, category_data(**overrides))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert category("0101").handling_hours == Decimal("24")


def test_categories_have_two_levels(cast):
    response = cast.client("admin").post(
        "/cases/config/categories/new/", category_data(code="010101", parent=str(category("0101").pk))
    )
    assert response.status_code == 400
    assert not CaseCategory.objects.filter(code="010101").exists()
    response = cast.client("admin").post(
        "/cases/config/categories/new/", category_data(code="0104", name="建筑垃圾")
    )
    assert response.status_code == 302
    assert category("0104").parent == category("01")


def steps_data(rows, **form):
    data = {"code": "flood", "name": "防汛吹哨", "description": "应急队报到", "active": "on"}
    data.update(form)
    data.update(
        {
            "steps-TOTAL_FORMS": str(len(rows)),
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "10",
        }
    )
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{i}-{key}"] = value
    return data


def test_whistle_route_edit(cast):
    client = cast.client("county")
    response = client.post(
        "/cases/config/whistles/new/",
        steps_data(
            [
                {"target": "responder_kind", "responder_kind": "team", "report_hours": "1"},
                {"target": "street", "responder_kind": "", "report_hours": "4"},
                {"target": "", "responder_kind": "", "report_hours": ""},  # the empty extra row
            ]
        ),
    )
    assert response.status_code == 302
    flood = WhistleType.objects.get(code="flood")
    assert [(s.step, s.target, s.responder_kind) for s in flood.steps.order_by("step")] == [
        (1, "responder_kind", "team"),
        (2, "street", ""),
    ]
    # remove the first step: the route is renumbered
    edit = reverse("cases:config_whistle", args=[flood.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        steps_data(
            [
                {"target": "responder_kind", "responder_kind": "team", "report_hours": "1", "DELETE": "on"},
                {"target": "county", "responder_kind": "", "report_hours": "8"},
            ]
        ),
    )
    assert response.status_code == 302
    assert [(s.step, s.target) for s in WhistleRouteStep.objects.filter(whistle_type=flood)] == [
        (1, "county")
    ]


@pytest.mark.parametrize(
    "rows, form",
    [
        ([{"target": "responder_kind", "responder_kind": "", "report_hours": "1"}], {}),  # which kind?
        ([{"target": "street", "responder_kind": "team", "report_hours": "1"}], {}),  # kind without responder
        ([{"target": "street", "responder_kind": "", "report_hours": "0"}], {}),
        ([], {}),  # no route at all
        ([{"target": "street", "responder_kind": "", "report_hours": "2"}], {"code": "escalate"}),  # taken
    ],
)
def test_whistle_route_refusals(cast, rows, form):
    before = WhistleRouteStep.objects.count()
    response = cast.client("admin").post("/cases/config/whistles/new/", steps_data(rows, **form))
    assert response.status_code == 400
    assert not WhistleType.objects.filter(code="flood").exists()
    assert WhistleRouteStep.objects.count() == before


def test_holiday_calendar(cast):
    client = cast.client("admin")
    response = client.post(
        "/cases/config/calendar/", {"day": "2027-10-01", "kind": "holiday", "name": "国庆节"}
    )
    assert response.status_code == 302 and "year=2027" in response["Location"]
    entry = CalendarDay.objects.get(day=date(2027, 10, 1))
    assert "国庆节" in client.get(response["Location"]).content.decode()
    # the same date again changes it
    client.post("/cases/config/calendar/", {"day": "2027-10-01", "kind": "workday", "name": "调休"})
    assert CalendarDay.objects.get().kind == "workday"
    assert client.post("/cases/config/calendar/", {"day": "nope", "kind": "holiday"}).status_code == 400
    assert client.post("/cases/config/calendar/", {"day": "2027-10-02", "kind": "party"}).status_code == 400
    delete = reverse("cases:config_calendar_delete", args=[entry.pk])
    assert cast.client("secretary").post(delete).status_code == 403
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not CalendarDay.objects.exists()
    assert client.post(delete).status_code == 404
