"""The county's organisation department runs the year's assessment in Chromium — publishes its
scheme, runs it, enters a subjective score, finalises and downloads the ledger (one row per subject,
Chinese headers) — and a village secretary sees only their own village's result."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tongxin.assessment.models import Result, Run
from tongxin.assessment.services import item_add, scheme_create
from tongxin.cases.testing import load_case_configuration
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, build_tree, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _login(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def _draft(tree, org):
    scheme = scheme_create(
        actor=org,
        owner=tree.county,
        name="村社区班子年度考核",
        year=timezone.localdate().year,
        assess_cadres=False,
    )
    item_add(
        actor=org,
        scheme=scheme,
        name="诉求受理",
        applies_to="team",
        weight=Decimal(40),
        max_score=Decimal(100),
        source="objective",
        indicator="cases.received",
        rule="linear",
        low=Decimal(0),
        high=Decimal(2),
    )
    item_add(
        actor=org,
        scheme=scheme,
        name="述职评议",
        applies_to="team",
        weight=Decimal(60),
        max_score=Decimal(100),
        source="subjective",
    )
    return scheme


def test_the_county_runs_the_assessment_and_a_village_sees_only_its_own(browser_context):
    load_case_configuration()
    tree = build_tree()
    org = make_user(Role.COUNTY_ORG, tree.county, username="zuzhibu")
    make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="cunshuji")
    scheme = _draft(tree, org)
    page = browser_context.new_page()
    _login(page, "zuzhibu")

    # the scheme from the list, published, then run for the year
    page.goto("/assessment/")
    page.get_by_role("link", name=scheme.name).click()
    page.locator("form[action$='/publish/'] button").click()
    expect(page.locator("#run-assessment")).to_be_visible()
    page.locator("#run-assessment").click()
    page.wait_for_url(re.compile(r".*/assessment/runs/\d+/"))
    run = Run.objects.get(scheme=scheme)
    teams = list(run.results.order_by("region_path"))
    expect(page.locator("#results tbody tr")).to_have_count(len(teams))

    # one subjective score entered in the grid (the others' totals come from the figure alone)
    page.locator("a[href*='/scores/']").click()
    own = run.results.get(region=tree.community_a1)
    page.locator(f"input[name^='s-{own.pk}-']").fill("88")
    page.locator("main form button.primary").click()
    expect(page.locator(f"input[name^='s-{own.pk}-']")).to_have_value(re.compile(r"^88"))
    page.goto(f"/assessment/runs/{run.pk}/")
    page.locator("#finalise").click()
    expect(page.locator("#finalise")).to_have_count(0)
    assert not Result.objects.filter(run=run, grade="").exists()
    assert Result.objects.get(pk=own.pk).scores.get(item__name="述职评议").score == Decimal(88)

    # the ledger: one row per subject, headers in Chinese
    with page.expect_download() as download:
        page.locator("#download-ledger").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    header_row = next(
        i for i, r in enumerate(rows) if r and any(isinstance(c, str) and "述职评议" in c for c in r)
    )
    headers = [h for h in rows[header_row] if h]
    body = [r for r in rows[header_row + 1 :] if r[0] not in (None, "合计", "Total")]
    assert len(body) == len(teams)
    assert all(CJK.search(str(h)) for h in headers if str(h) not in {"No."}), headers
    assert {r[2] for r in body} == {t.region.name for t in teams}

    # a village secretary sees their own village's result and no other
    browser_context.clear_cookies()
    _login(page, "cunshuji")
    page.goto(f"/assessment/runs/{run.pk}/")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text(tree.community_a1.name)
    expect(page.locator("#results")).not_to_contain_text(tree.community_a2.name)
    other = run.results.get(region=tree.community_a2)
    assert page.request.get(f"/assessment/results/{other.pk}/").status == 404
    assert page.request.get(f"/assessment/results/{own.pk}/").status == 200
