"""The collective economy: tier edges, scope of pages and API, figures equal to their rows, the
all-or-nothing import and the annual ledger's rows."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.regions.models import Kind, Region
from tongxin.statistics import selectors as figures
from tongxin.statistics.periods import year as year_period
from tongxin.statistics.registry import REGISTRY
from tongxin.testing import make_user
from tongxin.villages import selectors
from tongxin.villages.importer import ImportFailed, economy_import
from tongxin.villages.models import VillageEconomy
from tongxin.villages.services import economy_create, economy_update

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def villages(tree):
    for r in (tree.community_a1, tree.community_a2, tree.community_b1):
        Region.objects.filter(pk=r.pk).update(kind=Kind.VILLAGE)
        r.refresh_from_db()
    return tree


def _enter(region, amount, year=YEAR):
    return economy_create(
        actor=SYSTEM, region=region, year=year, values={"operating_income": Decimal(amount)}
    )


@pytest.mark.parametrize(
    ("amount", "rank"),
    [("100.00", 1), ("99.99", 2), ("50.00", 2), ("49.99", 3), ("5.00", 3), ("4.99", 4), ("0.00", 4)],
)
def test_tier_boundaries(villages, amount, rank):
    economy = _enter(villages.community_a1, amount)
    tier = selectors.tier_of(economy.total_income, selectors.tiers_for(YEAR))
    assert tier is not None and tier.rank == rank
    assert tier.weak == (rank == 4)


def test_income_is_the_sum_of_sources_and_edits_are_audited(villages):
    economy = economy_create(
        actor=SYSTEM,
        region=villages.community_a1,
        year=YEAR,
        values={"operating_income": "10.25", "subsidy_income": "2.50", "contracting_income": "1,000.00"},
    )
    assert economy.total_income == Decimal("1012.75")
    economy = economy_update(actor=SYSTEM, economy=economy, changes={"other_income": Decimal("0.25")})
    assert economy.total_income == Decimal("1013.00")


def test_township_may_not_enter_another_townships_village(villages):
    official = make_user(Role.STREET_OFFICIAL, villages.street_b)
    with pytest.raises(PermissionDenied):
        _enter_as(official, villages.community_a1)


def _enter_as(user, region):
    return economy_create(actor=user, region=region, year=YEAR, values={"operating_income": "1"})


def test_figures_equal_their_rows(villages):
    _enter(villages.community_a1, "120.00")
    _enter(villages.community_a2, "3.00")
    _enter(villages.community_b1, "60.00")
    period = year_period(YEAR)
    values = figures.compute(
        villages.street_a, period, [i for c, i in REGISTRY.items() if c.startswith("economy.")]
    )
    assert values["economy.collective_income"] == Decimal("123.00")
    assert values["economy.villages_reported"] == 2
    assert values["economy.villages_top_tier"] == 1
    assert values["economy.villages_weak"] == 1
    assert values["economy.villages_second_tier"] == 0
    assert values["economy.villages_weak_share"] == Decimal("0.5000")
    rows = figures.rows_of(REGISTRY["economy.collective_income"], villages.street_a, period)
    assert sum(r.total_income for r in rows) == Decimal("123.00")


def _ledger(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "村代码",
            "年度",
            "经营性收入",
            "发包及上交收入",
            "投资收益",
            "补助收入",
            "其他收入",
            "资产",
            "负债",
            "集体产权改革",
        ]
    )
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_import_reports_a_bad_row_and_writes_nothing(villages):
    good = [villages.community_a1.code, YEAR, 10, 2, 0, 1, 0, 100, 10, "已完成"]
    bad = [villages.community_a2.code, YEAR, "十万", 0, 0, 0, 0, 0, 0, "推进中"]
    unknown = ["999999999999", YEAR, 1, 0, 0, 0, 0, 0, 0, "未启动"]
    with pytest.raises(ImportFailed) as failed:
        economy_import(actor=SYSTEM, file=_ledger([good, bad, unknown]))
    assert [e.row for e in failed.value.errors] == [3, 4]
    assert not VillageEconomy.objects.exists()
    assert economy_import(actor=SYSTEM, file=_ledger([good])) == 1
    assert VillageEconomy.objects.get().total_income == Decimal("13.00")


def _official(villages):
    return make_user(Role.STREET_OFFICIAL, villages.street_a)


@pytest.mark.parametrize("who", ["street_a", "street_b", "village_b1"])
def test_pages_and_api_are_scoped(client, villages, who):
    _enter(villages.community_a1, "20.00")
    user = {
        "street_a": lambda: make_user(Role.STREET_OFFICIAL, villages.street_a),
        "street_b": lambda: make_user(Role.STREET_OFFICIAL, villages.street_b),
        "village_b1": lambda: make_user(Role.COMMUNITY_SECRETARY, villages.community_b1),
    }[who]()
    client.force_login(user)
    sees = who == "street_a"
    page = client.get(f"/villages/{villages.community_a1.pk}/")
    assert page.status_code == (200 if sees else 404)
    # without villages.manage anywhere the form is refused outright (403); elsewhere it is not there (404)
    edit = client.get(f"/villages/{villages.community_a1.pk}/{YEAR}/edit/").status_code
    assert edit == (200 if sees else 403 if who == "village_b1" else 404)
    overview = client.get("/villages/")
    assert overview.status_code in (200, 302)
    body = client.get("/api/v1/villages/economy").json()
    names = {item["village"] for item in body["items"]}
    assert (villages.community_a1.name in names) == sees
    ledger = client.get("/statistics/annual/villages.xlsx")
    assert ledger.status_code == 200
    sheet = load_workbook(BytesIO(ledger.content)).active
    codes = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[1]}
    assert (villages.community_a1.code in codes) == sees
    if who == "village_b1":
        assert codes <= {villages.community_b1.code, None} | {c for c in codes if c == "合计"}


def test_ledger_has_one_row_per_village_in_scope(client, villages):
    _enter(villages.community_a1, "20.00")
    client.force_login(_official(villages))
    sheet = load_workbook(BytesIO(client.get("/statistics/annual/villages.xlsx").content)).active
    codes = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert codes.count(villages.community_a1.code) == 1
    assert codes.count(villages.community_a2.code) == 1
    assert villages.community_b1.code not in codes
