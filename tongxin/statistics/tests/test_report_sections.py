"""The work report's parts added after the first six (grid work, the 12345 exchange, estates, venues,
两新, the village collective economy, cadres and assessment): their sentences quote the registry's
values as the reader sees them, their tables break the figures down by child, and figures the
reader may not see (an unshared assessment scheme's results at a street) stay out."""

import pytest
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.assessment.models import Result, Scheme
from tongxin.regions.models import Region
from tongxin.statistics import selectors
from tongxin.statistics.periods import Period, year
from tongxin.statistics.registry import REGISTRY
from tongxin.statistics.report import ORDER, SECTION_TITLES, Report, build_report, cn_numeral
from tongxin.statistics.wording import DEFAULTS, SENTENCES, fmt, problems

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("statistics-district")]

NEW = ["gridwork", "exchange", "estates", "venues", "twonew", "economy", "cadres", "assessment"]


def _report_of(username: str) -> tuple[User, Region, Period, Report]:
    user = User.objects.get(username=username)
    node = selectors.node_roots(user)[0]
    period = year(timezone.localdate().year)
    return user, node, period, build_report(user, node, period)


def _paragraphs(report: Report, key: str) -> list[str]:
    part = next((s for s in report.sections if s.key == key), None)
    return [] if part is None else [b.text for b in part.blocks if b.kind == "paragraph"]


def _value(user: User, node: Region, period: Period, code: str) -> str:
    """The registry's value of `code` as the reader sees it, written the report's way."""
    (figure,) = selectors.figures(user, node, period, codes=[code], previous=False)
    return fmt(figure.indicator, figure.value)


def test_every_part_has_a_title_a_place_and_sentences():
    assert set(NEW) <= set(ORDER) and set(NEW) <= set(SECTION_TITLES)
    assert ORDER[:6] == ["overview", "structure", "cases", "cobuilding", "members", "partylife"]
    for key in NEW:
        assert 1 <= sum(s.section == key for s in SENTENCES) <= 3, key
    assert all(not problems(text) for text in DEFAULTS.values())
    assert [cn_numeral(n) for n in (1, 10, 11, 14, 20, 23)] == ["一", "十", "十一", "十四", "二十", "二十三"]


def test_the_streets_report_quotes_grid_work_and_venues(district):
    user, node, period, report = _report_of("jiedao")
    grid = _paragraphs(report, "gridwork")
    visits = _value(user, node, period, "gridwork.visits")
    assert visits not in ("0", "—")
    assert f"网格员入户走访{visits}次" in grid[0]
    assert f"巡查{_value(user, node, period, 'gridwork.patrols')}次" in grid[0]
    venues = _paragraphs(report, "venues")
    assert venues, "the demo street has venues"
    assert f"现有开放的党群服务阵地{_value(user, node, period, 'venues.open')}个" in venues[0]
    # the figures equal a fresh computation at the node
    computed = selectors.compute(node, period, [REGISTRY["gridwork.visits"], REGISTRY["venues.open"]])
    assert visits == fmt(REGISTRY["gridwork.visits"], computed["gridwork.visits"])
    # the per-community table of grid work adds up to the street's total
    part = next(s for s in report.sections if s.key == "gridwork")
    table = next(b for b in part.blocks if b.kind == "table")
    assert table.columns[:2] == ["社区（村）", "入户走访"]
    assert table.rows[-1][:2] == ["合计", visits]
    assert sum(int(row[1].replace(",", "")) for row in table.rows[:-1]) == int(visits.replace(",", ""))
    # the new parts are numbered on after the old ones, never "本期暂无" when they have figures
    titles = [s.title for s in report.sections]
    assert titles.index("网格治理") > titles.index("组织生活")
    assert "本期暂无相关工作数据。" not in grid + venues


def test_the_townships_report_states_the_collective_economy(district):
    user, node, period, report = _report_of("zhen")
    economy = _paragraphs(report, "economy")
    income = _value(user, node, period, "economy.collective_income")
    assert income not in ("0", "—")
    assert any(f"村级集体经济收入合计{income}万元" in text for text in economy)
    part = next(s for s in report.sections if s.key == "economy")
    assert part.title == "村级集体经济"
    table = next(b for b in part.blocks if b.kind == "table")
    assert table.columns[1] == "收入（万元）" and table.rows[-1][:2] == ["合计", income]


def test_a_street_reads_no_assessment_of_an_unshared_scheme(district):
    assert Result.objects.exists(), "the demo county assesses its villages and communities"
    Scheme.objects.update(share_with_streets=False)
    _user, _node, _period, street = _report_of("jiedao")
    keys = [getattr(b, "key", "") for s in street.sections for b in s.blocks]
    assert "assessment.teams" not in keys and "assessment.bottom" not in keys
    assert "完成年度考核的村（社区）班子" not in str(street.to_dict())
    # the county that owns the scheme reads it
    _user, _node, _period, county = _report_of("zuzhibu")
    assert any("完成年度考核的村（社区）班子" in t for t in _paragraphs(county, "assessment"))
    # shared with streets, the street reads its own villages' and communities' results
    Scheme.objects.update(share_with_streets=True)
    user, node, period, shared = _report_of("jiedao")
    teams = _value(user, node, period, "assessment.teams")
    assert teams not in ("0", "—")
    assert any(f"完成年度考核的村（社区）班子{teams}个" in t for t in _paragraphs(shared, "assessment"))


def test_money_is_written_in_yuan_or_ten_thousand_yuan():
    assert fmt(REGISTRY["estates.fund_granted"], 8500) == "8,500元"
    assert fmt(REGISTRY["estates.subsidies_paid"], 125000) == "12.5万元"
