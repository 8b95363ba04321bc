"""台账: the co-building ledger as one Excel workbook, in the layout officials keep by hand.

One sheet per list (需求清单, 资源清单, 项目清单, 联席会议, 年度履责): a title row, Chinese headers,
one row per record, a 合计 row. Sheet titles, headers and labels are the canonical Chinese ones;
they are part of the file format, so they stay Chinese whatever the interface language. Every row
comes through the same scoped selectors as the pages: what a user cannot see is not exported.
"""

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from tongxin.cobuilding.duty import duty_check
from tongxin.lib.tree import subtree_range
from tongxin.lists.models import NeedStatus, ProjectStatus
from tongxin.lists.selectors import needs_visible, projects_visible, resources_visible, year_bounds
from tongxin.meetings.models import MeetingStatus, TaskStatus
from tongxin.meetings.selectors import meetings_visible
from tongxin.partners.models import AllianceMember, Pairing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = ("需求清单", "资源清单", "项目清单", "联席会议", "年度履责")

NEED_STATUS = {
    "open": "待认领",
    "claimed": "已认领",
    "in_project": "实施中",
    "done": "已办结",
    "withdrawn": "已撤回",
}
NEED_SOURCE = {
    "resident": "群众点单",
    "grid_visit": "网格走访",
    "monthly_round": "每月收集",
    "case": "诉求转入(问题清单)",
    "meeting": "会议研判",
}
CATEGORY = {
    "elderly": "助老扶弱",
    "health": "健康义诊",
    "environment": "环境整治",
    "facilities": "设施维修",
    "education": "教育关爱",
    "employment": "就业技能",
    "legal": "法律调解",
    "safety": "平安建设",
    "culture": "文化文明",
    "economy": "产业发展",
    "party": "党建宣讲",
    "other": "其他",
    "": "不限",
}
RESOURCE_KIND = {
    "money": "资金",
    "venue": "场地",
    "people": "人力",
    "skills": "技能",
    "equipment": "设备物资",
    "services": "服务",
}
PROJECT_KIND = {"practical": "实事", "secretary": "书记项目", "cobuilding": "共建项目"}
PROJECT_STATUS = {"active": "实施中", "closed": "已完成", "cancelled": "已取消"}
MEETING_KIND = {"joint": "联席会议", "council": "议事会"}
MEETING_STATUS = {"planned": "计划", "called": "已通知", "held": "已召开", "cancelled": "已取消"}
DECISION_STATUS = {
    "proposed": "提议",
    "discussed": "商议",
    "adopted": "审议通过",
    "rejected": "审议未通过",
    "evaluated": "已评议",
}
DUTY_STATUS = {
    "done": "已完成",
    "not_yet": "尚未完成",
    "missed": "未完成",
    "not_due": "年中加入，本年度不考核",
}

_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F3E3E3")
_TOTAL_FONT = Font(bold=True)
_THIN = Side(style="thin", color="BBBBBB")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    value: Callable[[Any], Any]


def _day(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def _sheet(
    workbook: Workbook,
    title: str,
    heading: str,
    columns: list[Column],
    rows: Iterable[Any],
    totals: Callable[[list[Any]], dict[int, Any]],
) -> int:
    """Title row, header row, one row per record (numbered 序号), and the 合计 row."""
    sheet = workbook.create_sheet(title)
    width = len(columns) + 1
    sheet.cell(row=1, column=1, value=heading).font = _TITLE_FONT
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    headers = ["序号", *[c.header for c in columns]]
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=index, value=header)
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.column_dimensions["A"].width = 6
    for index, column in enumerate(columns, start=2):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    records = list(rows)
    for n, record in enumerate(records, start=1):
        values = [n, *[_day(c.value(record)) for c in columns]]
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=n + 2, column=index, value=value)
            if cell.data_type == "f":  # text such as "=HYPERLINK(…)" stays text, never a formula
                cell.data_type = "s"
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str) and len(value) > 20)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    total_row = len(records) + 3
    sheet.cell(row=total_row, column=1, value="合计").font = _TOTAL_FONT
    for column_index, value in totals(records).items():
        cell = sheet.cell(row=total_row, column=column_index, value=value)
        cell.font = _TOTAL_FONT
    for index in range(1, width + 1):
        sheet.cell(row=total_row, column=index).border = _BORDER
    sheet.freeze_panes = "B3"
    return len(records)


def _in_area(qs: QuerySet[Any], area: Any, field: str) -> QuerySet[Any]:
    if area is None:
        return qs
    low, high = subtree_range(area.path)
    return qs.filter(**{f"{field}__gte": low, f"{field}__lt": high})


def _sum(values: Iterable[Any]) -> Any:
    items = [v or 0 for v in values]
    return sum(items, Decimal(0)) if any(isinstance(v, Decimal) for v in items) else sum(items)


def ledger_workbook(user: Any, *, year: int, area: Any = None) -> tuple[bytes, dict[str, int]]:
    """The workbook bytes and the row count of each sheet."""
    start, end = year_bounds(year)
    place = area.name if area is not None else "全部辖区"
    workbook = Workbook()
    workbook.remove(workbook.active)
    counts: dict[str, int] = {}

    # 需求清单: needs published in the year, or met in it
    needs = list(
        _in_area(needs_visible(user), area, "region__path")
        .filter(Q(created_at__gte=start, created_at__lt=end) | Q(done_at__gte=start, done_at__lt=end))
        .select_related("region", "claimed_by_unit", "claimed_meeting", "case")
        .order_by("created_at", "id")
    )
    need_columns = [
        Column("需求名称", 28, lambda n: n.title),
        Column("类别", 12, lambda n: CATEGORY.get(n.category, n.category)),
        Column("来源", 14, lambda n: NEED_SOURCE.get(n.source, n.source)),
        Column("所在社区/网格", 18, lambda n: n.region.name),
        Column("收集月份", 10, lambda n: f"{n.round_month:%Y-%m}" if n.round_month else ""),
        Column("发布日期", 12, lambda n: n.created_at),
        Column("预计受益人数", 10, lambda n: n.beneficiaries_estimate),
        Column("状态", 10, lambda n: NEED_STATUS.get(n.status, n.status)),
        Column("认领单位", 22, lambda n: n.claimed_by_unit.name if n.claimed_by_unit else ""),
        Column("认领日期", 12, lambda n: n.claimed_at),
        Column("认领会议", 22, lambda n: n.claimed_meeting.title if n.claimed_meeting else ""),
        Column("关联诉求", 16, lambda n: n.case.tracking_code if n.case else ""),
        Column("办结日期", 12, lambda n: n.done_at),
    ]
    counts["需求清单"] = _sheet(
        workbook,
        "需求清单",
        f"{year}年需求清单（{place}）",
        need_columns,
        needs,
        lambda rows: {
            2: f"共{len(rows)}项，已认领{sum(r.claimed_by_unit_id is not None for r in rows)}项，"
            f"已办结{sum(r.status == NeedStatus.DONE for r in rows)}项",
            8: _sum(r.beneficiaries_estimate for r in rows),
        },
    )

    # 资源清单: what the units on the user's side offer (a standing list, not by year)
    resources = list(
        resources_visible(user).select_related("unit", "unit__region").order_by("unit__name", "kind", "title")
    )
    if area is not None:
        low, high = subtree_range(area.path)
        near = set(
            Pairing.objects.filter(
                Q(region__path__gte=low, region__path__lt=high) | Q(region__path__in=_ancestor_paths(area))
            ).values_list("unit_id", flat=True)
        ) | set(
            AllianceMember.objects.filter(
                Q(alliance__region__path__gte=low, alliance__region__path__lt=high)
                | Q(alliance__region__path__in=_ancestor_paths(area))
            ).values_list("unit_id", flat=True)
        )
        resources = [r for r in resources if r.unit_id in near or r.unit.region.path.startswith(low)]
    resource_columns = [
        Column("共建单位", 24, lambda r: r.unit.name),
        Column("资源类别", 10, lambda r: RESOURCE_KIND.get(r.kind, r.kind)),
        Column("资源名称", 26, lambda r: r.title),
        Column("适用需求", 12, lambda r: CATEGORY.get(r.category, r.category)),
        Column("数量", 10, lambda r: r.quantity),
        Column("计量单位", 8, lambda r: r.quantity_unit),
        Column("是否可用", 8, lambda r: "是" if r.available else "否"),
        Column("可用起", 12, lambda r: r.available_from),
        Column("可用止", 12, lambda r: r.available_until),
        Column("说明", 30, lambda r: r.description),
    ]
    counts["资源清单"] = _sheet(
        workbook,
        "资源清单",
        f"{year}年资源清单（{place}）",
        resource_columns,
        resources,
        lambda rows: {
            2: f"共{len(rows)}项，其中资金{_sum(r.quantity for r in rows if r.kind == 'money')}元",
        },
    )

    # 项目清单: projects under way in the year, or claimed or delivered in it
    projects = list(
        _in_area(projects_visible(user), area, "region__path")
        .filter(
            Q(claimed_at__gte=start, claimed_at__lt=end)
            | Q(closed_at__gte=start, closed_at__lt=end)
            | Q(status=ProjectStatus.ACTIVE, claimed_at__lt=end)
        )
        .select_related("owner_unit", "secretary", "region", "parent")
        .order_by("claimed_at", "id")
    )
    project_columns = [
        Column("项目名称", 28, lambda p: p.title),
        Column("类型", 10, lambda p: PROJECT_KIND.get(p.kind, p.kind)),
        Column("上级项目", 20, lambda p: p.parent.title if p.parent else ""),
        Column("牵头单位", 22, lambda p: p.owner_unit.name if p.owner_unit else ""),
        Column("负责人", 10, lambda p: p.lead_name),
        Column("认领书记", 10, lambda p: p.secretary.name if p.secretary else ""),
        Column("实施地点", 16, lambda p: p.region.name),
        Column("预算(元)", 12, lambda p: p.budget),
        Column("认领日期", 12, lambda p: p.claimed_at),
        Column("计划完成", 12, lambda p: p.due_on),
        Column("进度(%)", 9, lambda p: p.progress),
        Column("状态", 9, lambda p: PROJECT_STATUS.get(p.status, p.status)),
        Column("完成日期", 12, lambda p: p.closed_at),
        Column("受益人数", 10, lambda p: p.beneficiaries_count),
        Column("成效", 36, lambda p: p.result),
    ]
    counts["项目清单"] = _sheet(
        workbook,
        "项目清单",
        f"{year}年项目清单（{place}）",
        project_columns,
        projects,
        lambda rows: {
            2: f"共{len(rows)}个，已完成{sum(r.status == ProjectStatus.CLOSED for r in rows)}个",
            9: _sum(r.budget for r in rows),
            15: _sum(r.beneficiaries_count for r in rows),
        },
    )

    # 联席会议: meetings scheduled in the year
    meetings = list(
        _in_area(meetings_visible(user), area, "region__path")
        .filter(scheduled_at__gte=start, scheduled_at__lt=end)
        .select_related("alliance", "region")
        .prefetch_related("invitations", "agenda", "decisions__tasks")
        .order_by("scheduled_at", "id")
    )

    def decisions(m: Any) -> str:
        return "；".join(f"{d.title}（{DECISION_STATUS.get(d.status, d.status)}）" for d in m.decisions.all())

    def tasks(m: Any) -> str:
        all_tasks = [t for d in m.decisions.all() for t in d.tasks.all()]
        done = sum(t.status == TaskStatus.DONE for t in all_tasks)
        return f"{done}/{len(all_tasks)}" if all_tasks else ""

    meeting_columns = [
        Column("会议名称", 28, lambda m: m.title),
        Column("类型", 10, lambda m: MEETING_KIND.get(m.kind, m.kind)),
        Column("所属联盟", 22, lambda m: m.alliance.name if m.alliance else ""),
        Column("地点", 14, lambda m: m.place),
        Column("时间", 16, lambda m: f"{timezone.localtime(m.held_at or m.scheduled_at):%Y-%m-%d %H:%M}"),
        Column("状态", 8, lambda m: MEETING_STATUS.get(m.status, m.status)),
        Column("应到", 6, lambda m: len(m.invitations.all())),
        Column("实到", 6, lambda m: sum(bool(i.attended) for i in m.invitations.all())),
        Column("议程", 30, lambda m: "；".join(a.title for a in m.agenda.all())),
        Column("决定事项", 36, decisions),
        Column("跟踪任务(完成/总数)", 12, tasks),
        Column("会议纪要", 40, lambda m: m.minutes if m.status == MeetingStatus.HELD else ""),
    ]
    counts["联席会议"] = _sheet(
        workbook,
        "联席会议",
        f"{year}年联席会议台账（{place}）",
        meeting_columns,
        meetings,
        lambda rows: {2: f"共{len(rows)}次，已召开{sum(r.status == MeetingStatus.HELD for r in rows)}次"},
    )

    # 年度履责: the duty check
    report = duty_check(user, year=year, area=area)
    duty_rows: list[tuple[str, str, str, int, int, str, str]] = []
    for u in report.units:
        duty_rows.append(
            (
                "共建单位办实事",
                u.unit.name,
                u.unit.get_kind_display(),
                u.required,
                u.done,
                DUTY_STATUS[u.status],
                f"加入日期 {u.joined:%Y-%m-%d}",
            )
        )
    for s in report.secretaries:
        duty_rows.append(
            (
                "书记项目",
                s.person.name,
                s.organisation.name,
                s.required,
                s.claimed,
                DUTY_STATUS[s.status],
                f"任职日期 {s.took_office:%Y-%m-%d}",
            )
        )
    for a in report.alliances:
        duty_rows.append(
            (
                "联席会议",
                a.alliance.name,
                a.alliance.get_meeting_interval_display(),
                a.expected,
                a.met,
                DUTY_STATUS[a.status],
                f"成立日期 {a.alliance.founded_on:%Y-%m-%d}，全年召开{a.held}次",
            )
        )
    duty_columns = [
        Column("考核事项", 14, lambda r: r[0]),
        Column("对象", 24, lambda r: r[1]),
        Column("类别/所属", 24, lambda r: r[2]),
        Column("应完成", 8, lambda r: r[3]),
        Column("已完成", 8, lambda r: r[4]),
        Column("状态", 16, lambda r: r[5]),
        Column("说明", 20, lambda r: r[6]),
    ]
    behind = sum(r[5] in (DUTY_STATUS["not_yet"], DUTY_STATUS["missed"]) for r in duty_rows)
    counts["年度履责"] = _sheet(
        workbook,
        "年度履责",
        f"{year}年共建履责情况（{place}，截至{report.as_of:%Y-%m-%d}，规则{report.rules_version}）",
        duty_columns,
        duty_rows,
        lambda rows: {2: f"共{len(rows)}项，未完成{behind}项"},
    )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), counts


def _ancestor_paths(area: Any) -> list[str]:
    ids = area.ancestor_ids()
    paths, current = [], "/"
    for pk in ids:
        current = f"{current}{pk}/"
        paths.append(current)
    return paths
