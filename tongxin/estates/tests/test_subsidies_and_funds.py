"""Building heads' subsidies on their edge cases, one approval, the payment sheet; 自治金 never negative."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.estates.defaults import SUBSIDY_RULES
from tongxin.estates.models import EntryKind, Grade, GroupFund, RunStatus, SubsidyRules
from tongxin.estates.services import (
    assessment_set,
    days_in_office,
    duty_record,
    duty_verify,
    fund_create,
    fund_entry_add,
    subsidy_amount,
    subsidy_approve,
    subsidy_compute,
)
from tongxin.people.models import PositionKind
from tongxin.people.services import position_create
from tongxin.testing import make_person, make_user

pytestmark = pytest.mark.django_db

RULES = SubsidyRules(**SUBSIDY_RULES)  # 1,200 a year + 20 per verified item, at most 40


@pytest.mark.parametrize(
    ("days", "items", "grade", "expected"),
    [
        (365, 0, Grade.COMPETENT, Decimal("1200.00")),  # zero work: the base alone
        (365, 40, Grade.COMPETENT, Decimal("2000.00")),  # at the cap
        (365, 55, Grade.COMPETENT, Decimal("2000.00")),  # past the cap: no more
        (365, 10, Grade.EXCELLENT, Decimal("1680.00")),  # (1200 + 200) × 1.2
        (365, 10, Grade.BASIC, Decimal("1120.00")),  # × 0.8
        (365, 10, Grade.INCOMPETENT, Decimal("0.00")),  # × 0
        (365, 10, "", Decimal("1400.00")),  # not assessed: the configured factor (1.0)
        (73, 0, Grade.COMPETENT, Decimal("240.00")),  # a fifth of the year in office
        (0, 0, Grade.COMPETENT, Decimal("0.00")),
        (1, 0, Grade.COMPETENT, Decimal("3.29")),  # 1200 / 365 = 3.287… rounded half up
    ],
)
def test_subsidy_amount(days, items, grade, expected):
    *_parts, amount = subsidy_amount(RULES, days=days, days_in_year=365, items=items, grade=grade)
    assert amount == expected


def test_days_in_office_mid_year():
    class P:
        starts_on, ends_on = date(2025, 7, 1), None

    assert days_in_office(P, 2025) == 184
    P.ends_on = date(2025, 9, 30)
    assert days_in_office(P, 2025) == 92
    assert days_in_office(P, 2024) == 0
    assert days_in_office(P, 2026) == 0
    P.ends_on = None
    assert days_in_office(P, 2025, today=date(2025, 7, 10)) == 10


@pytest.fixture
def heads(world):
    tree = world.cast.tree
    building = world.buildings[0]
    whole = position_create(
        person=make_person(building, name="张楼长"),
        kind=PositionKind.BUILDING_HEAD,
        region=building,
        starts_on=date(2020, 1, 1),
    )
    last_year = timezone.localdate().year - 1
    late = position_create(
        person=make_person(building, name="赵楼长"),
        kind=PositionKind.BUILDING_HEAD,
        region=world.buildings[1],
        starts_on=date(last_year, 7, 1),
        ends_on=date(last_year, 9, 30),
    )
    for k in range(45):
        duty = duty_record(
            actor=SYSTEM,
            position=whole,
            kind="policy",
            done_on=date(last_year, 1, 1) + timedelta(days=k),
            note="政策宣讲",
        )
        duty_verify(actor=SYSTEM, duty=duty)
    duty_record(actor=SYSTEM, position=whole, kind="policy", done_on=date(last_year, 3, 1), note="未核实")
    verified = duty_record(
        actor=SYSTEM, position=late, kind="mediation", done_on=date(last_year, 8, 1), note="调解"
    )
    duty_verify(actor=SYSTEM, duty=verified)
    assessment_set(actor=SYSTEM, position=whole, year=last_year, grade=Grade.EXCELLENT)
    return tree, whole, late, last_year


def test_a_run_computes_from_verified_work_and_is_approved_once(world, heads):
    tree, whole, late, year = heads
    run = subsidy_compute(actor=world.cast.staff, community=tree.community_a1, year=year)
    rows = {r.position_id: r for r in run.rows.all()}
    assert rows[whole.pk].verified_items == 45  # the unverified one does not count
    assert rows[whole.pk].amount == Decimal("2400.00")  # (1200 + 20 × 40 at the cap) × 1.2
    assert rows[late.pk].days_in_office == 92
    assert rows[late.pk].amount == ((Decimal(1200) * 92 / 365).quantize(Decimal("0.01")) + 20)
    assert run.total == sum(r.amount for r in rows.values())
    with pytest.raises(ValidationError):  # who computed does not approve
        subsidy_approve(actor=world.cast.staff, run=run)
    run = subsidy_approve(actor=world.cast.secretary, run=run)
    assert run.status == RunStatus.APPROVED
    with pytest.raises(ValidationError):
        subsidy_approve(actor=world.cast.secretary, run=run)
    with pytest.raises(ValidationError):
        subsidy_compute(actor=world.cast.staff, community=tree.community_a1, year=year)
    with pytest.raises(PermissionDenied):
        subsidy_compute(actor=world.cast.neighbour, community=tree.community_a1, year=year)


def test_the_payment_sheet_has_names_and_amounts_no_id_numbers(world, heads, client):
    tree, _whole, _late, year = heads
    run = subsidy_compute(actor=world.cast.staff, community=tree.community_a1, year=year)
    subsidy_approve(actor=world.cast.secretary, run=run)
    client.force_login(world.cast.secretary)
    response = client.get(reverse("estates:payment_export"), {"year": year})
    assert response.status_code == 200
    sheet = load_workbook(filename=__import__("io").BytesIO(response.content)).active
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "张楼长" in text and "2400" in text
    assert "身份证" not in text and "ID" not in text
    client.force_login(world.cast.neighbour)  # another community: nothing of this one
    other = load_workbook(
        filename=__import__("io").BytesIO(
            client.get(reverse("estates:payment_export"), {"year": year}).content
        )
    ).active
    assert "张楼长" not in " ".join(
        str(c.value) for row in other.iter_rows() for c in row if c.value is not None
    )


def test_a_head_does_not_verify_their_own_work(world, heads):
    _tree, whole, _late, year = heads
    account = make_user(Role.COMMUNITY_STAFF, world.cast.tree.community_a1)
    account.person = whole.person
    account.save()
    duty = duty_record(actor=SYSTEM, position=whole, kind="errand", done_on=date(year, 5, 5), note="代办")
    with pytest.raises(PermissionDenied):
        duty_verify(actor=account, duty=duty)


def test_the_fund_never_goes_negative(world):
    tree = world.cast.tree
    fund = fund_create(
        actor=SYSTEM, community=tree.community_a1, name="阳光花园1幢楼组", buildings=world.buildings[:1]
    )
    today = timezone.localdate()
    fund_entry_add(
        actor=world.cast.staff,
        fund=fund,
        kind=EntryKind.GRANT,
        amount=Decimal("500"),
        on=today,
        purpose="年度自治金",
    )
    fund_entry_add(
        actor=world.cast.staff,
        fund=fund,
        kind=EntryKind.SPENDING,
        amount=Decimal("320.50"),
        on=today,
        purpose="楼道绿植",
        receipt_number="NO.0012",
    )
    with pytest.raises(ValidationError) as refused:
        fund_entry_add(
            actor=world.cast.staff,
            fund=fund,
            kind=EntryKind.SPENDING,
            amount=Decimal("200"),
            on=today,
            purpose="议事角桌椅",
            receipt_number="NO.0013",
        )
    assert "179.50" in str(refused.value) and "negative" in str(refused.value)
    with pytest.raises(ValidationError):  # a spending needs its receipt
        fund_entry_add(
            actor=world.cast.staff,
            fund=fund,
            kind=EntryKind.SPENDING,
            amount=Decimal("1"),
            on=today,
            purpose="x",
        )
    with pytest.raises(ValidationError):
        fund_entry_add(
            actor=world.cast.staff,
            fund=fund,
            kind=EntryKind.GRANT,
            amount=Decimal("0"),
            on=today,
            purpose="x",
        )
    with pytest.raises(PermissionDenied):
        fund_entry_add(
            actor=world.cast.neighbour,
            fund=fund,
            kind=EntryKind.GRANT,
            amount=Decimal("9"),
            on=today,
            purpose="x",
        )
    fund.refresh_from_db()
    assert fund.balance == Decimal("179.50")
    assert fund.entries.count() == 2
    assert GroupFund.objects.filter(balance__lt=0).count() == 0


def test_the_fund_page_shows_the_error(world, client):
    tree = world.cast.tree
    fund = fund_create(actor=SYSTEM, community=tree.community_a1, name="楼组", buildings=[])
    client.force_login(world.cast.staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        reverse("estates:fund", args=[fund.pk]),
        {
            "kind": "spending",
            "amount": "10",
            "on": timezone.localdate().isoformat(),
            "purpose": "x",
            "receipt_number": "1",
        },
        follow=True,
    )
    assert "would leave it negative" in response.content.decode()
    fund.refresh_from_db()
    assert fund.balance == 0
