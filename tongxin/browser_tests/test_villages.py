"""The collective economy as the township official meets it: the overview of their villages with the
tiers, the tiers' versions, and the annual 台账 downloaded (one row per village, Chinese headers,
万元 with two decimals)."""

import importlib
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.apps import apps
from openpyxl import load_workbook
from playwright.sync_api import expect

from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.regions.models import Kind, Region
from tongxin.testing import PASSWORD, build_tree, make_user
from tongxin.villages.services import economy_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _township():
    # a transactional test's flush empties the default tiers the data migration loaded
    importlib.import_module("tongxin.villages.migrations.0002_default_tiers").add(apps, None)
    tree = build_tree()
    year = date.today().year
    for region, income in ((tree.community_a1, "120.50"), (tree.community_a2, "3.25")):
        Region.objects.filter(pk=region.pk).update(kind=Kind.VILLAGE)
        region.refresh_from_db()
        economy_create(actor=SYSTEM, region=region, year=year, values={"operating_income": Decimal(income)})
    make_user(Role.STREET_OFFICIAL, tree.street_a, username="zhen_test")
    return tree


def test_township_official_sees_the_tiers_and_downloads_the_ledger(browser_context):
    tree = _township()
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/login/")
    page.fill("#id_username", "zhen_test")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")

    page.goto("/villages/")
    expect(page.locator("h1")).to_contain_text(tree.street_a.name)
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("123.75万元")  # the township's total
    expect(facts).to_contain_text("61.88万元")  # per village
    expect(facts).to_contain_text("100万元以上")
    expect(facts).to_contain_text("5万元以下（薄弱村）")
    rows = page.locator("table.rtable tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=tree.community_a1.name)).to_contain_text("100万元以上")
    expect(rows.filter(has_text=tree.community_a2.name)).to_contain_text("薄弱村")

    page.get_by_role("link", name="收入分档").click()
    expect(page.locator("h2").first).to_contain_text("第1版")
    page.go_back()

    with page.expect_download() as download:
        page.get_by_role("link", name="年度台账（Excel）").click()
    sheet = load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active
    header = [c.value for c in sheet[1]]
    assert (header[0], header[2]) == ("村", "乡镇")  # the village, its code, its township
    assert "村级集体经济收入（万元）" in header
    column = header.index("村级集体经济收入（万元）") + 1
    villages = [row for row in sheet.iter_rows(min_row=2) if row[1].value]
    assert sorted(r[1].value for r in villages) == sorted([tree.community_a1.code, tree.community_a2.code])
    incomes = {r[0].value: r[column - 1] for r in villages}
    assert incomes[tree.community_a1.name].value == 120.5
    assert incomes[tree.community_a1.name].number_format == "0.00"
    assert errors == []
