"""A community secretary records an estate with two buildings and its property firm, its 业委会 with a
Party-member director (the estate then shows 红色业委会), and is refused a 自治金 spending beyond the
balance, the reason shown on the form."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tongxin.core.actors import SYSTEM
from tongxin.estates.models import Estate
from tongxin.estates.services import fund_create, fund_entry_add
from tongxin.partners.models import UnitKind
from tongxin.partners.services import unit_create
from tongxin.regions.models import Level
from tongxin.regions.services import region_create
from tongxin.testing import PASSWORD, build_tree, make_member, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_secretary_records_an_estate_its_committee_and_a_refused_spending(browser_context):
    tree = build_tree()
    grid = tree.grids["1.1"]
    buildings = [
        region_create(
            actor=SYSTEM,
            name=f"和园{n}幢",
            level=Level.BUILDING,
            code=f"{grid.code}{n + 20:05d}",
            parent=grid,
            centre=(120.605 + n / 1000, 31.31),
        )
        for n in (1, 2)
    ]
    unit_create(name="和园物业", kind=UnitKind.PROPERTY_FIRM, region=tree.community_a1, actor=SYSTEM)
    director = make_member(grid, tree.orgs["grid_branch"], name="郑主任")
    make_user("community_secretary", tree.community_a1, username="shuji")
    fund = fund_create(actor=SYSTEM, community=tree.community_a1, name="和园1幢楼组")
    fund_entry_add(
        actor=SYSTEM,
        fund=fund,
        kind="grant",
        amount=Decimal(200),
        on=timezone.localdate(),
        purpose="年度拨付",
    )

    page = browser_context.new_page()
    page.goto("/login/")
    page.fill("#id_username", "shuji")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")

    # the estate, from the estates list
    page.goto("/estates/")
    page.get_by_role("link", name="新建小区").click()
    page.fill("#id_name", "和园")
    page.fill("#id_address", "滚绣坊路8号")
    for b in buildings:
        page.check(f"input[name=buildings][value='{b.pk}']")
    page.select_option("#id_property_firm", label="和园物业")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("和园")
    estate = Estate.objects.get(name="和园")
    assert estate.buildings.count() == 2
    expect(page.locator("main")).to_contain_text("和园1幢")
    expect(page.locator("main")).not_to_contain_text("红色业委会")

    # the 业委会 with a Party-member director
    page.get_by_role("link", name="登记新一届业委会").click()
    today = timezone.localdate()
    page.fill("#id_term_starts_on", today.replace(month=1, day=1).isoformat())
    page.fill("#id_term_ends_on", today.replace(year=today.year + 4, month=12, day=31).isoformat())
    page.select_option("#id_person", value=str(director.pk))
    page.select_option("#id_role", value="director")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("红色业委会")
    expect(page.locator("#committee")).to_contain_text("郑主任")

    # a spending beyond the 自治金 balance is refused, the reason on the form
    page.goto(f"/estates/funds/{fund.pk}/")
    page.select_option("#id_kind", value="spending")
    page.fill("#id_amount", "500")
    page.fill("#id_purpose", "楼道粉刷")
    page.fill("#id_receipt_number", "R-0001")
    page.click("#record button[type=submit]")
    expect(page.locator("#record")).to_contain_text("自治金余额为200.00元，支出500.00元将导致余额为负。")
    fund.refresh_from_db()
    assert fund.balance == Decimal("200.00")
    assert not fund.entries.filter(kind="spending").exists()
