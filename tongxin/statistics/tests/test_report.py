"""The work report (工作综述): sentences from the figures in .docx, PDF, page and API; the wording's
versions and validation; Chinese number formats; scope."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tongxin.audit.models import Action, AuditEvent
from tongxin.lists.services import need_claim
from tongxin.meetings.services import meeting_record, meeting_schedule
from tongxin.partners.models import AllianceKind
from tongxin.partners.services import alliance_create, alliance_member_add
from tongxin.partners.testing import build_cobuilding, publish_need
from tongxin.statistics import selectors
from tongxin.statistics.models import ReportWording
from tongxin.statistics.periods import quarter, year
from tongxin.statistics.registry import REGISTRY
from tongxin.statistics.report import build_report
from tongxin.statistics.wording import (
    DEFAULTS,
    Values,
    cn_date,
    fmt,
    problems,
    render,
    sentences_of,
    wording_create,
    wording_in_force,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
YEAR = {"period": "year", "year": "2025"}


def docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


@pytest.fixture
def cobuilding(cast, tree):
    """Three joint meetings in 滚绣坊社区 in 2025 (March, June, September); four needs, three claimed."""
    alliance = alliance_create(
        name="滚绣坊社区大党委",
        kind=AllianceKind.BIG_COMMITTEE,
        region=tree.community_a1,
        actor=cast.secretary,
        founded_on=date(2025, 1, 1),
    )
    alliance_member_add(alliance=alliance, actor=cast.secretary, unit=cast.unit_a)
    meetings = []
    for month in (3, 6, 9):
        when = datetime(2025, month, 10, 9, tzinfo=TZ)
        meeting = meeting_schedule(
            actor=cast.secretary, alliance=alliance, title=f"{month}月联席会议", scheduled_at=when
        )
        meetings.append(
            meeting_record(meeting=meeting, actor=cast.secretary, minutes="认领需求", held_at=when)
        )
    for n in range(4):
        when = datetime(2025, 3, 1 + n, 10, tzinfo=TZ)
        need = publish_need(tree.community_a1, cast.secretary, title=f"需求{n + 1}", now=when)
        if n < 3:
            need_claim(need=need, unit=cast.unit_a, actor=cast.liaison_a, now=when + timedelta(days=9))
    return meetings


# ---- the sentences in every format ---------------------------------------------------------------------


def test_docx_says_how_many_joint_meetings_were_held(cast, tree, cobuilding):
    response = logged_in(cast.street).get(
        reverse("statistics:report_docx"), {"node": tree.street_a.pk, **YEAR}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "attachment" in response["Content-Disposition"]
    text = docx_text(response.content)
    assert "双塔街道2025年度党建引领基层治理工作综述" in text
    assert "2025年，双塔街道共召开联席会议3次，梳理需求清单4项，已认领3项，认领率75%。" in text
    # no case in the area: the case sentences are left out rather than saying 0, and the part says so
    assert "受理群众诉求" not in text and "三、接诉即办\n本期暂无相关工作数据。" in text
    # the appendix names each figure, its definition and how to reproduce it
    assert "cobuilding.meetings_held" in text
    assert f"/api/v1/statistics/values?node={tree.street_a.pk}&since=2025-01-01&until=2025-12-31" in text
    assert f"/statistics/rows/cobuilding.meetings_held/?node={tree.street_a.pk}&since=2025-01-01" in text
    assert AuditEvent.objects.filter(action=Action.EXPORT, target="statistics:report:docx").exists()


def test_community_table_and_chart(cast, tree, cobuilding):
    report = build_report(cast.street, tree.street_a, year(2025))
    part = next(s for s in report.sections if s.key == "cobuilding")
    table = next(b for b in part.blocks if b.kind == "table")
    assert table.columns[:4] == ["社区（村）", "联席会议", "需求清单", "已认领"]
    assert table.rows[0][:4] == ["滚绣坊社区", "3", "4", "3"] and table.rows[-1][0] == "合计"
    chart = next(b for b in part.blocks if b.kind == "chart")
    assert chart.series[0] == ("需求清单", [4.0, 0.0])
    assert chart.png().startswith(b"\x89PNG")


def test_pdf_opens_with_the_text(cast, tree, cobuilding):
    pypdf = pytest.importorskip("pypdf")
    from tongxin.members.cards import PdfFontMissing, cjk_font

    try:
        cjk_font()
    except PdfFontMissing:
        pytest.skip("no Chinese font on this machine (CI installs fonts-noto-cjk)")
    response = logged_in(cast.street).get(
        reverse("statistics:report_pdf"), {"node": tree.street_a.pk, **YEAR}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace("\x00", "").replace(" ", "")
    assert "联席会议3次" in text and "工作综述" in text


def test_page_renders_the_report(cast, tree, cobuilding):
    response = logged_in(cast.street).get(reverse("statistics:report"), {"node": tree.street_a.pk, **YEAR})
    assert response.status_code == 200
    body = response.content.decode()
    assert "共召开联席会议3次" in body
    assert reverse("statistics:report_docx") in body and reverse("statistics:report_pdf") in body
    # a child's row leads to the child's own report
    assert f"?node={tree.community_a1.pk}&amp;period=year&amp;year=2025" in body


def test_page_with_a_bad_period_says_so(cast, tree):
    response = logged_in(cast.street).get(
        reverse("statistics:report"), {"node": tree.street_a.pk, "period": "week"}
    )
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    bad = logged_in(cast.street).get(
        reverse("statistics:report_docx"), {"period": "custom", "since": "2025-13-01"}
    )
    assert bad.status_code == 400


def test_api_json_and_files(cast, tree, cobuilding):
    client = logged_in(cast.street)
    found = client.get("/api/v1/statistics/reports/", {"node": tree.street_a.pk, **YEAR})
    assert found.status_code == 200
    data = found.json()
    assert data["title"] == "双塔街道2025年度党建引领基层治理工作综述"
    texts = [b["text"] for s in data["sections"] for b in s["blocks"] if b["kind"] == "paragraph"]
    assert any("共召开联席会议3次" in t for t in texts)
    assert any(e["code"] == "cobuilding.meetings_held" for e in data["appendix"])
    docx = client.get("/api/v1/statistics/reports/docx", {"node": tree.street_a.pk, **YEAR})
    assert docx.status_code == 200 and "联席会议3次" in docx_text(docx.content)
    invalid = client.get(
        "/api/v1/statistics/reports/",
        {"node": tree.street_a.pk, "period": "custom", "since": "2025-05-01", "until": "2025-04-01"},
    )
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_period"


# ---- scope and access ----------------------------------------------------------------------------------


def test_outside_the_node_is_404_on_page_files_and_api(cast, tree, cobuilding):
    stranger = logged_in(cast.stranger)  # official of the other street
    for name in ("statistics:report", "statistics:report_docx", "statistics:report_pdf"):
        assert stranger.get(reverse(name), {"node": tree.street_a.pk, **YEAR}).status_code == 404
    for path in (
        "/api/v1/statistics/reports/",
        "/api/v1/statistics/reports/docx",
        "/api/v1/statistics/reports/pdf",
    ):
        response = stranger.get(path, {"node": tree.community_a1.pk, **YEAR})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    # their own street's report says nothing of street A
    own = stranger.get(reverse("statistics:report"), YEAR)
    assert (
        own.status_code == 200
        and "平江街道" in own.content.decode()
        and "双塔街道" not in own.content.decode()
    )


def test_anonymous_and_without_the_capability(cast, tree):
    assert Client().get(reverse("statistics:report")).status_code == 302
    assert Client().get("/api/v1/statistics/reports/").status_code == 401
    nobody = logged_in(cast.nobody)
    assert nobody.get(reverse("statistics:report")).status_code == 403
    assert nobody.get("/api/v1/statistics/reports/docx").status_code == 403
    assert logged_in(cast.street).get(reverse("statistics:wording")).status_code == 403  # view, not configure


def test_figures_are_read_once_per_report(cast, tree, cobuilding):
    with mock.patch.object(selectors, "figures", wraps=selectors.figures) as spy:
        build_report(cast.street, tree.street_a, year(2025))
    assert spy.call_count == 1


# ---- the wording ---------------------------------------------------------------------------------------


def test_version_1_holds_the_defaults():
    first = ReportWording.objects.get(version=1)
    assert first.valid_from <= date(2000, 1, 1)
    # its text is frozen; sentences added since (the later parts) read their defaults
    assert first.sentences.items() <= DEFAULTS.items() and sentences_of(first) == DEFAULTS
    assert all(not problems(text) for text in DEFAULTS.values())


def test_the_version_in_force_on_the_last_day_is_used(cast, tree, cobuilding):
    second = wording_create(
        actor=cast.county,
        sentences={
            "cobuilding.meetings": "{period}，{node}召开联席会议{cobuilding.meetings_held}次（第二版）。"
        },
        valid_from=date(2025, 7, 1),
        note="试行新措辞",
    )
    assert second.version == 2 and second.created_by == cast.county
    assert second.sentences["cobuilding.units"] == DEFAULTS["cobuilding.units"]  # the rest carried over
    assert wording_in_force(date(2025, 6, 30)).version == 1
    assert wording_in_force(date(2025, 7, 1)).version == 2

    def paragraphs(report):
        return [b.text for s in report.sections for b in s.blocks if b.kind == "paragraph"]

    spring = build_report(cast.street, tree.street_a, quarter(2025, 2))
    assert spring.wording_version == 1
    assert any(t.startswith("2025年第二季度，双塔街道共召开联席会议1次") for t in paragraphs(spring))
    autumn = build_report(cast.street, tree.street_a, quarter(2025, 3))
    assert autumn.wording_version == 2
    assert "2025年第三季度，双塔街道召开联席会议1次（第二版）。" in paragraphs(autumn)
    # the whole year ends after 1 July: version 2
    assert build_report(cast.street, tree.street_a, year(2025)).wording_version == 2


def test_unknown_placeholders_are_refused_by_name(cast):
    with pytest.raises(ValidationError) as refused:
        wording_create(
            actor=cast.county,
            sentences={"cobuilding.meetings": "共召开{cobuilding.meeting}次，{foo}，{node}"},
            valid_from=date(2026, 1, 1),
        )
    message = " ".join(refused.value.message_dict["cobuilding.meetings"])
    assert "{cobuilding.meeting}" in message and "{foo}" in message and "{node}" not in message
    assert ReportWording.objects.count() == 1
    with pytest.raises(ValidationError):
        wording_create(actor=cast.county, sentences={"opening": "未闭合{node"}, valid_from=date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        wording_create(actor=cast.street, sentences={"opening": "{node}"}, valid_from=date(2026, 1, 1))


def test_wording_pages(cast):
    county = logged_in(cast.county)
    listing = county.get(reverse("statistics:wording"))
    assert listing.status_code == 200 and "{cobuilding.meetings_held}" in listing.content.decode()
    form = county.get(reverse("statistics:wording_new"))
    assert form.status_code == 200
    data = {s: DEFAULTS[s] for s in DEFAULTS}
    data.update(valid_from="2026-01-01", note="", opening="{period}，{node}{bogus.code}")
    refused = county.post(reverse("statistics:wording_new"), data)
    assert refused.status_code == 200 and "Unknown placeholder: {bogus.code}." in refused.content.decode()
    data["opening"] = "{period}，{node}全面推进党建引领基层治理。"
    saved = county.post(reverse("statistics:wording_new"), data)
    assert saved.status_code == 302 and saved["Location"] == reverse("statistics:wording")
    latest = ReportWording.objects.get(version=2)
    assert (
        latest.sentences["opening"].endswith("全面推进党建引领基层治理。")
        and latest.created_by == cast.county
    )
    assert logged_in(cast.street).post(reverse("statistics:wording_new"), data).status_code == 403


def test_a_new_version_cannot_start_before_the_latest(cast):
    wording_create(actor=cast.county, sentences={"opening": "{node}。"}, valid_from=date(2026, 3, 1))
    with pytest.raises(ValidationError) as refused:
        wording_create(actor=cast.county, sentences={"opening": "{node}！"}, valid_from=date(2026, 2, 1))
    assert "valid_from" in refused.value.message_dict


# ---- sentences and Chinese formats ---------------------------------------------------------------------


class _Figure:
    def __init__(self, code, value, previous=None, target=None):
        self.indicator = REGISTRY[code]
        self.value, self.previous, self.target = value, previous, target

    @property
    def share(self):
        return None if not self.target else Decimal(self.value) / self.target


def _values(**figures):
    found = {code.replace("__", "."): _Figure(code.replace("__", "."), v) for code, v in figures.items()}
    return Values(context={"node": "金岩街道", "period": "今年以来", "since": "", "until": ""}, figures=found)


def test_render_drops_empty_clauses_and_sentences():
    template = DEFAULTS["cobuilding.meetings"]
    text, codes = render(
        template, _values(cobuilding__meetings_held=3, cobuilding__needs=30, cobuilding__needs_claimed=27)
    )
    assert text == "今年以来，金岩街道共召开联席会议3次，梳理需求清单30项，已认领27项。"
    assert codes == ["cobuilding.meetings_held", "cobuilding.needs", "cobuilding.needs_claimed"]
    assert render(template, _values(cobuilding__meetings_held=0, cobuilding__needs=0)) is None
    assert render(template, _values()) is None  # nothing visible: left out, not "—"
    # a leading clause dropped leaves no stray punctuation
    whistle = render(DEFAULTS["cases.whistle"], _values(cases__supervised=2))
    assert whistle is not None and whistle[0] == "督办2件。"
    # ASCII punctuation typed in a template comes out full-width; numbers keep their separators
    compared = render("{cases.received}件（上期{cases.received.previous}件）", _values(cases__received=7))
    assert compared is not None and compared[0] == "7件（上期—件）"
    typed = render("{node}:共{cases.received}件,[办结{cases.closed}件]", _values(cases__received=12345))
    assert typed is not None and typed[0] == "金岩街道：共12,345件，"


def test_chinese_number_formats():
    assert fmt(REGISTRY["cases.received"], 12345) == "12,345"
    assert fmt(REGISTRY["cases.resolution_rate"], Decimal("0.9432")) == "94.3%"
    assert fmt(REGISTRY["cases.resolution_rate"], Decimal("1")) == "100%"
    assert fmt(REGISTRY["members.service_hours"], Decimal("1795.50")) == "1,795.5"
    assert fmt(REGISTRY["cases.received"], None) == "—"
    assert cn_date(date(2026, 12, 6)) == "2026年12月6日"
    assert problems("{period}，{node}{cobuilding.meetings_held}{members.reported.share}") == []
    assert problems("{members.reported.sharp}")


def test_monthly_counts_in_one_pass_agree_with_compute(cast, tree, cobuilding):
    from tongxin.statistics.report import codes_needed, monthly_counts

    held = REGISTRY["cobuilding.meetings_held"]
    series = monthly_counts([held], tree.street_a, year(2025))
    assert series == {"cobuilding.meetings_held": [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0]}
    for n, month in enumerate(year(2025).months()):
        assert selectors.compute(tree.street_a, month, [held])[held.code] == series[held.code][n]
    # only what the wording, tables and charts read is computed
    needed = codes_needed(DEFAULTS)
    assert "cobuilding.meetings_held" in needed and "cases.dispatched" in needed  # a ratio's part
    assert "cases.reopened" not in needed
