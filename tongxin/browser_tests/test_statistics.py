"""The figures as a street official meets them: the overview of their street, another period, a
figure clicked through to the rows behind it (same count), a drill-down on the map, the report."""

import importlib
import re

import docx
import pytest
from django.apps import apps
from playwright.sync_api import expect

from tongxin.demo.generator import DEFAULT_SEED, Options, generate
from tongxin.demo.generator.personas import DEMO_PASSWORD
from tongxin.demo.history import write_history

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _defaults() -> None:
    """Transactional tests flush the tables, the data migrations' defaults included: load them again."""

    for module, function in [
        ("tongxin.cases.migrations.0002_default_configuration", "load_defaults"),
        ("tongxin.cases.migrations.0011_rate_rules_version_1", "version_1"),
        ("tongxin.partners.migrations.0003_default_rules", "add_default"),
        ("tongxin.statistics.migrations.0002_report_wording_version_1", "version_1"),
    ]:
        getattr(importlib.import_module(module), function)(apps, None)


def _district() -> None:
    _defaults()

    generate(Options(people=300, method="services"))
    write_history(seed=DEFAULT_SEED)


def _login(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def _number(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


def test_street_official_reads_the_overview_and_traces_a_figure(browser_context, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _district()
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, "jiedao")
    page.goto("/statistics/")
    expect(page.locator("h1")).to_contain_text("街道")
    expect(page.locator(".kpi").first).to_be_visible()
    # the charts and the map drew something
    expect(page.locator("#trend-chart canvas")).to_have_count(1)
    expect(page.locator("#stats-map path.child-area").first).to_be_visible()

    # another period: a quarter
    page.select_option("#id_period", "quarter")
    page.locator(".period-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*period=quarter.*"))
    expect(page.locator("h1")).to_contain_text("季度")

    # back to the year; click the number of cases received and land on the same number of rows
    page.select_option("#id_period", "year")
    page.locator(".period-form button[type=submit]").click()
    row = page.locator('tr[data-code="cases.closed_unsolved"]')
    if row.count() == 0:
        row = page.locator('a.kpi[data-code="cases.received"]')
        shown = _number(row.locator(".kpi-value").inner_text())
    else:
        shown = _number(row.locator(".figure-link").inner_text())
    link = row.locator("a").first if row.evaluate("e => e.tagName") != "A" else row
    link.click()
    expect(page.locator(".count")).to_be_visible()
    assert int(page.locator(".count").get_attribute("data-count")) == shown

    # drill down on the map: clicking a community opens its overview
    page.go_back()
    page.locator("#stats-map path.child-area").first.click()
    page.wait_for_url(re.compile(r".*node=\d+.*"))
    expect(page.locator(".breadcrumb a")).to_have_count(1)

    # the street's work report: read it as a page, then download it for Word
    page.locator(".breadcrumb a").first.click()
    page.locator("a.button", has_text="工作综述").click()
    expect(page.locator("main")).to_contain_text("工作综述")
    with page.expect_download() as download:
        page.locator('a[href*="report.docx"]').first.click()
    path = download.value.path()
    document = docx.Document(path)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "今年以来" in text or "本期" in text
    assert not errors, errors


def test_overview_on_a_phone(phone_context, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _district()
    page = phone_context.new_page()
    _login(page, "shequ_shuji")
    page.goto("/statistics/")
    expect(page.locator(".kpi").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
