"""The work report (工作综述) of a node over a period: one structure — title, sections of paragraphs,
tables and charts, and an appendix saying how to reproduce every figure — rendered as a page, a .docx
and a PDF (report_docx.py, report_pdf.py).

Every number comes from one call of `selectors.figures` (plus one per-child and one monthly read for
the tables and charts); sentences are the wording version in force on the period's last day."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from tongxin.regions.models import Level, Region
from tongxin.statistics import kept, selectors
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import REGISTRY, SECTIONS, Indicator
from tongxin.statistics.report_chart import bar_chart_png
from tongxin.statistics.selectors import Figure, total
from tongxin.statistics.wording import (
    MISSING,
    SENTENCES,
    Values,
    cn_date,
    figure_names,
    fmt,
    period_phrase,
    period_title,
    render,
    sentences_of,
    wording_in_force,
)

API_VALUES = "/api/v1/statistics/values"
API_CHILDREN = "/api/v1/statistics/children"
REPORT_LANGUAGE = "zh-hans"  # the report body is Chinese whatever the page's language

SECTION_TITLES = {
    "overview": "总体情况",
    "structure": "组织体系建设",
    "cases": "接诉即办",
    "cobuilding": "联建共建",
    "members": "党员双报到与服务",
    "partylife": "组织生活",
    "gridwork": "网格治理",
    "exchange": "12345 热线协同",
    "estates": "红色物业与小区治理",
    "venues": "阵地建设与服务",
    "twonew": "两新组织党建",
    "economy": "村级集体经济",
    "cadres": "干部队伍建设",
    "assessment": "年度考核",
}
# the six first parts, then the parts added later: grid work and the hotline beside 接诉即办's
# outcome, the estates, venues, 两新 and villages, and the cadres and their assessment last
ORDER = [
    "overview",
    "structure",
    "cases",
    "cobuilding",
    "members",
    "partylife",
    "gridwork",
    "exchange",
    "estates",
    "venues",
    "twonew",
    "economy",
    "cadres",
    "assessment",
]
NUMERALS = "一二三四五六七八九十"
NOTHING = "本期暂无相关工作数据。"
CHILD_NOUN: dict[str, str] = {
    Level.CITY: "区县",
    Level.COUNTY: "街道（乡镇）",
    Level.STREET: "社区（村）",
    Level.COMMUNITY: "网格",
    Level.GRID: "网格",
}

# per-child tables: section → (column heading, code)
CHILD_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "structure": [
        ("一级网格", "structure.grids"),
        ("党组织", "structure.organisations"),
        ("正式党员", "structure.members_full"),
    ],
    "cases": [
        ("受理", "cases.received"),
        ("办结", "cases.closed"),
        ("响应率", "cases.response_rate"),
        ("解决率", "cases.resolution_rate"),
        ("满意率", "cases.satisfaction_rate"),
    ],
    "cobuilding": [
        ("联席会议", "cobuilding.meetings_held"),
        ("需求清单", "cobuilding.needs"),
        ("已认领", "cobuilding.needs_claimed"),
        ("认领率", "cobuilding.needs_claimed_share"),
        ("交付项目", "cobuilding.projects_delivered"),
    ],
    "members": [
        ("报到党员", "members.reported"),
        ("服务次数", "members.services"),
        ("服务时长（小时）", "members.service_hours"),
        ("活动场次", "members.activities"),
    ],
    "partylife": [
        # 三会一课 compliance per child is left out: it walks every branch's calendar, too slow per child
        ("三会一课", "partylife.meetings"),
        ("发展党员", "partylife.admitted"),
        ("流动党员", "partylife.mobile_away"),
    ],
    "gridwork": [
        ("入户走访", "gridwork.visits"),
        ("巡查", "gridwork.patrols"),
        ("矛盾调解", "gridwork.mediations"),
        ("调解成功率", "gridwork.mediations_resolved_share"),
        ("联户覆盖（户）", "gridwork.linked_households"),
    ],
    "venues": [
        ("开放阵地", "venues.open"),
        ("场地预约", "venues.bookings"),
        ("便民服务", "venues.service_records"),
        ("服务人次", "venues.people_served"),
    ],
    "economy": [
        ("收入（万元）", "economy.collective_income"),
        ("“5+N”项目", "economy.projects"),
        ("项目投资（万元）", "economy.project_investment"),
        ("公司和合作社", "economy.enterprises"),
    ],
}
# breakdowns shown as tables: code → (title, heading of the key column)
BREAKDOWNS: dict[str, list[tuple[str, str, str]]] = {
    "structure": [("structure.organisations", "党组织构成", "类型")],
    "cases": [
        ("cases.received_by_channel", "诉求来源渠道", "渠道"),
        ("cases.received_by_category", "诉求类别", "类别"),
    ],
    "members": [("members.activities", "活动类型", "类型")],
    "partylife": [("partylife.meetings", "“三会一课”构成", "类型")],
    "venues": [("venues.open_by_kind", "开放阵地类型", "类型")],
    "twonew": [("twonew.posts", "党员示范岗、先锋岗和责任区", "类型")],
    "assessment": [("assessment.teams_by_grade", "村（社区）班子考核等次", "等次")],
}
MONTHLY_CODES = ["cases.received", "cases.closed"]


# ---- the structure -----------------------------------------------------------------------------------


@dataclass
class Paragraph:
    text: str
    key: str = ""
    codes: list[str] = field(default_factory=list)
    kind: str = "paragraph"


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    codes: list[str] = field(default_factory=list)
    note: str = ""
    links: list[str] = field(default_factory=list)  # per row: the node id the row is about, or ""
    kind: str = "table"

    @property
    def linked_rows(self) -> list[tuple[str, list[str]]]:
        return [(self.links[n] if n < len(self.links) else "", row) for n, row in enumerate(self.rows)]


@dataclass
class Chart:
    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]
    codes: list[str] = field(default_factory=list)
    kind: str = "chart"
    _png: bytes | None = field(default=None, repr=False)

    @property
    def peak(self) -> float:
        return max((v for _name, values in self.series for v in values), default=0) or 1

    def bars(self) -> list[dict[str, Any]]:
        """For the page: each label with its bars as shares of the largest value."""
        return [
            {
                "label": label,
                "bars": [
                    {
                        "series": i,
                        "name": name,
                        "value": fmt(None, values[n]),
                        "width": f"{values[n] / self.peak * 100:.1f}",
                    }
                    for i, (name, values) in enumerate(self.series)
                ],
            }
            for n, label in enumerate(self.labels)
        ]

    def png(self) -> bytes:
        if self._png is None:
            self._png = chart_png(self)
        return self._png


@dataclass
class Section:
    key: str
    number: str
    title: str
    blocks: list[Any]


@dataclass
class AppendixEntry:
    number: int
    code: str
    name: str
    value: str
    definition: str
    api: str
    rows: str


@dataclass
class Report:
    title: str
    node: Region
    period: Period
    subtitle: str
    generated_on: date
    wording_version: int | None
    sections: list[Section]
    appendix: list[AppendixEntry]
    appendix_note: str

    @property
    def filename(self) -> str:
        return f"{self.node.name}{period_title(self.period)}工作综述"

    def to_dict(self) -> dict[str, Any]:
        def block(b: Any) -> dict[str, Any]:
            if isinstance(b, Paragraph):
                return {"kind": "paragraph", "key": b.key, "text": b.text, "codes": b.codes}
            if isinstance(b, Table):
                return {
                    "kind": "table",
                    "title": b.title,
                    "columns": b.columns,
                    "rows": b.rows,
                    "codes": b.codes,
                }
            return {
                "kind": "chart",
                "title": b.title,
                "labels": b.labels,
                "series": [{"name": name, "values": values} for name, values in b.series],
                "codes": b.codes,
            }

        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "node": {"id": self.node.pk, "name": self.node.name, "code": self.node.code},
            "period": {"since": self.period.since, "until": self.period.until, "grain": self.period.grain},
            "generated_on": self.generated_on,
            "wording_version": self.wording_version,
            "sections": [
                {"key": s.key, "title": f"{s.number}、{s.title}", "blocks": [block(b) for b in s.blocks]}
                for s in self.sections
            ],
            "appendix": [e.__dict__ for e in self.appendix],
            "appendix_note": self.appendix_note,
        }


# ---- building it -------------------------------------------------------------------------------------


def _parts(indicator: Indicator) -> list[str]:
    return [c for c in (indicator.numerator, indicator.denominator, indicator.bonus) if c]


def _complete_ratios(found: dict[str, Figure], node: Region, period: Period) -> None:
    """Add the ratios whose parts the user sees. (selectors.visible leaves out ratios, which carry no
    capability of their own; harmless once it includes them.)"""
    for indicator in REGISTRY.values():
        if indicator.kind != "ratio" or indicator.code in found:
            continue
        parts = _parts(indicator)
        if not all(p in found for p in parts):
            continue
        now = {p: total(found[p].value) for p in parts}
        before = {p: total(found[p].previous) for p in parts}
        found[indicator.code] = Figure(
            indicator,
            selectors.ratio(indicator, node, period, now),
            selectors.ratio(indicator, node, period.previous(), before),
        )


def _child_values(user: Any, node: Region, period: Period) -> list[tuple[Region, dict[str, Any]]]:
    wanted: list[str] = []
    for columns in CHILD_COLUMNS.values():
        for _heading, code in columns:
            wanted.append(code)
            indicator = REGISTRY.get(code)
            if indicator is not None and indicator.kind == "ratio":
                wanted.extend(_parts(indicator))
    rows = selectors.children_values(user, node, period, wanted)
    for child, values in rows:
        for code in wanted:
            indicator = REGISTRY.get(code)
            if (
                indicator is not None
                and indicator.kind == "ratio"
                and code not in values
                and all(p in values for p in _parts(indicator))
            ):
                values[code] = selectors.ratio(indicator, child, period, values)
    return rows


def cn_numeral(n: int) -> str:
    """一 … 十, 十一 … 九十九: the number of a part."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _name(indicator: Indicator) -> str:
    return str(indicator.name)


def build_report(user: Any, node: Region, period: Period, *, today: date | None = None) -> Report:
    """The report of `node` over `period` as `user` may read it (the node is in the user's scope)."""
    with translation.override(REPORT_LANGUAGE):
        return _build(user, node, period, today or timezone.localdate())


def codes_needed(texts: dict[str, str]) -> list[str]:
    """The indicators a report reads: those its sentences quote, its tables and charts show, and the
    parts of its ratios. Only these are computed (some, on large data, are not cheap)."""
    wanted = [n if n in REGISTRY else n.rpartition(".")[0] for t in texts.values() for n in figure_names(t)]
    wanted += [c for columns in CHILD_COLUMNS.values() for _h, c in columns]
    wanted += [c for breakdowns in BREAKDOWNS.values() for c, _t, _h in breakdowns]
    wanted += MONTHLY_CODES
    found: list[str] = []
    for code in wanted:
        indicator = REGISTRY.get(code)
        if indicator is None:
            continue
        for each in [code, *(_parts(indicator) if indicator.kind == "ratio" else [])]:
            if each not in found:
                found.append(each)
    return found


def _build(user: Any, node: Region, period: Period, today: date) -> Report:
    wording = wording_in_force(period.until)
    texts = sentences_of(wording)
    previous = any(".previous}" in text for text in texts.values())
    found = {
        f.indicator.code: f
        for f in selectors.figures(user, node, period, codes=codes_needed(texts), previous=previous)
    }
    _complete_ratios(found, node, period)
    values = Values(
        context={
            "node": node.name,
            "period": period_phrase(period, today),
            "since": cn_date(period.since),
            "until": cn_date(period.until),
        },
        figures=found,
    )
    children = _child_values(user, node, period) if selectors.children_of(node) else []
    child_noun = CHILD_NOUN.get(node.level, "下级单位")

    sections: list[Section] = []
    for key in [*ORDER, *(k for k in SECTIONS if k not in ORDER)]:
        if key != "overview" and (
            key not in SECTIONS or not any(f.indicator.section == key for f in found.values())
        ):
            continue  # nothing of this part is visible to the user
        blocks: list[Any] = [
            Paragraph(done[0], sentence.key, done[1])
            for sentence in SENTENCES
            if sentence.section == key and (done := render(texts[sentence.key], values)) is not None
        ]
        if key != "overview":
            blocks += _tables_and_charts(key, user, node, period, found, children, child_noun)
            if not any(isinstance(b, Paragraph) for b in blocks):
                blocks.insert(0, Paragraph(NOTHING, f"{key}.nothing"))
        if blocks:
            number = cn_numeral(len(sections) + 1)
            sections.append(Section(key, number, SECTION_TITLES.get(key) or str(SECTIONS[key].name), blocks))

    appendix = _appendix(sections, found, node, period)
    query = urlencode(
        {"node": str(node.pk), "since": period.since.isoformat(), "until": period.until.isoformat()}
    )
    note = (
        f"以下为本综述所引用的每项数据的口径和复现方法。数据由系统根据已登记的事实自动计算，不经人工填报；"
        f"统计期间为{cn_date(period.since)}至{cn_date(period.until)}。各{child_noun}的数据可通过"
        f"{API_CHILDREN}?{query}&codes=指标代码 复现。"
    )
    return Report(
        title=f"{node.name}{period_title(period)}党建引领基层治理工作综述",
        node=node,
        period=period,
        subtitle=(
            f"统计期间：{cn_date(period.since)}至{cn_date(period.until)}"
            + _as_of(period, today)
            + f"　生成日期：{cn_date(today)}"
        ),
        generated_on=today,
        wording_version=wording.version if wording is not None else None,
        sections=sections,
        appendix=appendix,
        appendix_note=note,
    )


def _as_of(period: Period, today: date) -> str:
    """When the figures were counted: the kept figures' time when the report read them."""
    reading = kept.current()
    if reading is not None and reading.as_of is not None:
        at = timezone.localtime(reading.as_of)
        return f"（数据截至{cn_date(at.date())}{at:%H:%M}）"
    return f"（数据截至{cn_date(today)}）" if period.since <= today < period.until else ""


def _tables_and_charts(
    key: str,
    user: Any,
    node: Region,
    period: Period,
    found: dict[str, Figure],
    children: list[tuple[Region, dict[str, Any]]],
    child_noun: str,
) -> list[Any]:
    blocks: list[Any] = []
    if key == "cases" and len(period.months()) > 1:
        blocks.append(_monthly_chart(user, node, period))
    blocks.append(_children_table(key, children, found, child_noun))
    if key == "cobuilding":
        blocks.append(_needs_chart(children, child_noun))
    for code, title, heading in BREAKDOWNS.get(key, []):
        blocks.append(_breakdown_table(found.get(code), title, heading))
    return [b for b in blocks if b is not None]


def _cell(indicator: Indicator | None, value: Any) -> str:
    return fmt(indicator, total(value))


def _children_table(
    key: str, children: list[tuple[Region, dict[str, Any]]], found: dict[str, Figure], noun: str
) -> Table | None:
    columns = [(h, c) for h, c in CHILD_COLUMNS.get(key, []) if c in REGISTRY and c in found]
    if not children or not columns:
        return None
    rows, links = [], []
    for child, values in children:
        rows.append([child.name, *[_cell(REGISTRY[c], values.get(c)) for _h, c in columns]])
        links.append(str(child.pk))
    if all(value in ("0", MISSING) for row in rows for value in row[1:]):
        return None  # nothing to compare
    rows.append(["合计", *[_cell(REGISTRY[c], found[c].value) for _h, c in columns]])
    links.append("")
    return Table(
        title=f"各{noun}{SECTION_TITLES[key]}情况",
        columns=[noun, *[h for h, _c in columns]],
        rows=rows,
        codes=[c for _h, c in columns],
        links=links,
    )


def _breakdown_table(figure: Figure | None, title: str, heading: str) -> Table | None:
    if figure is None or not figure.groups:
        return None
    whole = sum(n for _k, _label, n in figure.groups) or 1
    rows = [
        [label, fmt(None, n), fmt(None, Decimal(n) / whole * 100) + "%"] for _k, label, n in figure.groups
    ]
    return Table(title=title, columns=[heading, "数量", "占比"], rows=rows, codes=[figure.indicator.code])


def monthly_counts(indicators: list[Indicator], node: Region, period: Period) -> dict[str, list[int]]:
    """Each count indicator month by month: one filtered count per month and indicator, in one query
    per source — a single pass over the node's rows, where truncating every row's date is slow."""
    months = period.months()
    series: dict[str, list[int]] = {}
    by_source: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        if indicator.kind == "count" and indicator.source is not None and not indicator.group_by:
            by_source.setdefault(indicator.source.key, []).append(indicator)
    for group in by_source.values():
        source = group[0].source
        assert source is not None
        counts = {
            f"m{n}_{k}": Count("pk", filter=indicator.condition(month))
            for k, indicator in enumerate(group)
            for n, month in enumerate(months)
        }
        row = source.rows(node).order_by().aggregate(**counts)
        for k, indicator in enumerate(group):
            series[indicator.code] = [int(row[f"m{n}_{k}"] or 0) for n in range(len(months))]
    return series


def _monthly_chart(user: Any, node: Region, period: Period) -> Chart | None:
    shown = selectors.visible(user, node, MONTHLY_CODES)
    reading = kept.current()
    found = reading.series(node, period, [i.code for i in shown]) if reading is not None else None
    series = found if found is not None else monthly_counts(shown, node, period)
    if not any(any(values) for values in series.values()):
        return None
    names = {"cases.received": "受理", "cases.closed": "办结"}
    codes = [c for c in MONTHLY_CODES if c in series]
    return Chart(
        title="各月诉求受理与办结情况（件）",
        labels=[
            f"{m.since.month}月"
            if m.since.year == period.until.year
            else f"{m.since.year}年{m.since.month}月"
            for m in period.months()
        ],
        series=[(names[c], [float(v) for v in series[c]]) for c in codes],
        codes=codes,
    )


def _needs_chart(children: list[tuple[Region, dict[str, Any]]], noun: str) -> Chart | None:
    codes = ["cobuilding.needs", "cobuilding.needs_claimed"]
    if not children or not all(c in children[0][1] for c in codes):
        return None
    listed = [float(total(values.get(codes[0])) or 0) for _child, values in children]
    claimed = [float(total(values.get(codes[1])) or 0) for _child, values in children]
    if not any(listed):
        return None
    return Chart(
        title=f"各{noun}需求清单认领情况（项）",
        labels=[child.name for child, _values in children],
        series=[("需求清单", listed), ("已认领", claimed)],
        codes=codes,
    )


def _appendix(
    sections: list[Section], found: dict[str, Figure], node: Region, period: Period
) -> list[AppendixEntry]:
    used: list[str] = []
    for section in sections:
        for block in section.blocks:
            for code in block.codes:
                if code not in used and code in found:
                    used.append(code)
    since, until = period.since.isoformat(), period.until.isoformat()
    entries = []
    for n, code in enumerate(used, start=1):
        figure = found[code]
        indicator = figure.indicator
        definition = str(indicator.definition)
        if indicator.kind == "ratio":
            definition += f"（分子 {indicator.numerator}，分母 {indicator.denominator}）"
        entries.append(
            AppendixEntry(
                number=n,
                code=code,
                name=_name(indicator),
                value=fmt(indicator, figure.value),
                definition=definition,
                api=f"{API_VALUES}?"
                + urlencode({"node": str(node.pk), "since": since, "until": until, "codes": code}),
                rows=reverse("statistics:rows", args=[code])
                + "?"
                + urlencode({"node": str(node.pk), "since": since, "until": until}),
            )
        )
    return entries


# ---- charts as images (for .docx and PDF) --------------------------------------------------------------


def chart_png(chart: Chart) -> bytes:

    return bar_chart_png("", chart.labels, chart.series)  # the documents caption it
