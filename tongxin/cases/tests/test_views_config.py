"""Configuration pages: categories and limits, whistle routes, holidays (cases.configure only)."""

from datetime import date, datetime, timedelta
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
        "/cases/config/rates/",
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


# --- the rules of the three rates ----------------------------------------------------------------

RATE_RULES = "/cases/config/rates/"


def test_rate_rules_list_and_add_a_version(cast):
    from django.utils import timezone

    from tongxin.cases.models import RateRuleSet
    from tongxin.cases.selectors import rate_rules_for

    admin = cast.client("county")
    page = admin.get(RATE_RULES)
    assert page.status_code == 200 and [r.version for r in page.context["versions"]] == [1]
    today = timezone.localdate()
    response = admin.post(
        RATE_RULES, {"basically_weight": "0.6", "valid_from": today.isoformat(), "note": "区考核办法（2027）"}
    )
    assert response.status_code == 302
    added = RateRuleSet.objects.get(version=2)
    assert (added.basically_weight, added.previous_weight, added.valid_from) == (
        Decimal("0.6"),
        Decimal("0.8"),
        today,
    )
    assert added.created_by == cast.county and added.note == "区考核办法（2027）"
    assert rate_rules_for(today).version == 2
    assert rate_rules_for(today - timedelta(days=1)).version == 1  # the past keeps its rules
    rates = cast.client("street").get("/cases/rates/").content.decode()
    assert "0.6" in rates and "0.8" not in rates
    assert "区考核办法" in admin.get(RATE_RULES).content.decode()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"basically_weight": "1.2"}, "basically_weight"),
        ({"basically_weight": "-0.1"}, "basically_weight"),
        ({"basically_weight": "0.8"}, "basically_weight"),  # already in force: nothing changes
        ({"basically_weight": "0.7", "valid_from": "2020-01-01"}, "valid_from"),  # the past stays
        ({"basically_weight": "x"}, "basically_weight"),
        ({"basically_weight": "0.7", "valid_from": ""}, "valid_from"),
    ],
)
def test_rate_rules_bad_input_writes_nothing(cast, data, field):
    from django.utils import timezone

    from tongxin.cases.models import RateRuleSet

    data = {"valid_from": timezone.localdate().isoformat(), **data}
    response = cast.client("admin").post(RATE_RULES, data)
    assert response.status_code == 400 and field in response.context["form"].errors
    assert list(RateRuleSet.objects.values_list("version", flat=True)) == [1]


def test_rate_rules_refusals(client, cast):
    data = {"basically_weight": "0.5", "valid_from": "2099-01-01"}
    assert client.post(RATE_RULES, data).status_code == 302  # to the log-in page
    assert cast.client("street").post(RATE_RULES, data).status_code == 403
    assert cast.client("secretary").post(RATE_RULES, data).status_code == 403
    assert cast.client("admin").put(RATE_RULES, data).status_code == 405
    from tongxin.cases.models import RateRuleSet

    assert RateRuleSet.objects.count() == 1


def test_rate_rules_service_numbers_versions_and_checks_the_weight(cast):
    from django.core.exceptions import ValidationError

    from tongxin.cases.config_services import rate_rules_add
    from tongxin.cases.selectors import rate_rules_for

    later = date(2099, 1, 1)
    second = rate_rules_add(basically_weight=Decimal("0.5"), valid_from=later, actor=cast.admin)
    third = rate_rules_add(basically_weight=Decimal("0.75"), valid_from=date(2098, 1, 1), actor=cast.admin)
    assert (second.version, third.version) == (2, 3)
    assert third.previous_weight == Decimal("0.8")
    # the latest start on or before a day wins, whatever the order they were added in
    assert rate_rules_for(date(2098, 6, 1)).version == 3 and rate_rules_for(later).version == 2
    with pytest.raises(ValidationError):
        rate_rules_add(basically_weight=Decimal("0.1234"), valid_from=later, actor=cast.admin)
