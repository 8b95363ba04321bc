"""The Excel ledger (台账): one sheet per list, Chinese headers, a 合计 row, audited; read back."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tongxin.audit.models import Action, AuditEvent
from tongxin.cobuilding.ledger import SHEETS, ledger_workbook
from tongxin.lists.models import ResourceKind
from tongxin.lists.services import (
    milestone_accept,
    need_claim,
    project_close,
    project_create,
    resource_create,
)
from tongxin.meetings.services import (
    decision_create,
    decision_step,
    meeting_record,
    meeting_schedule,
    task_create,
)
from tongxin.partners.models import AllianceKind
from tongxin.partners.services import alliance_create, alliance_member_add
from tongxin.partners.testing import build_cobuilding, publish_need

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day, hour=10):
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def filled(tree):
    cast = build_cobuilding(tree, joined_on=date(2024, 1, 1))
    day = date(2025, 4, 1)
    need = publish_need(tree.community_a1, cast.secretary, now=at(day), beneficiaries_estimate=120)
    publish_need(
        tree.community_a1,
        cast.secretary,
        title='=HYPERLINK("http://x")',
        now=at(day),
        beneficiaries_estimate=5,
    )
    publish_need(tree.community_a1, cast.secretary, title="去年的需求", now=at(date(2024, 6, 1)))
    need_claim(need=need, unit=cast.unit_a, actor=cast.liaison_a, now=at(day, 11))
    project = project_create(
        actor=cast.liaison_a,
        need=need,
        title="路灯改造",
        kind="practical",
        lead_name="张工",
        budget="12000",
        milestones=[("安装", 1, None)],
        now=at(day, 12),
    )
    milestone_accept(
        milestone=project.milestones.get(), actor=cast.secretary, now=at(day + timedelta(days=20))
    )
    project_close(
        project=project,
        actor=cast.secretary,
        result="新装路灯20盏",
        beneficiaries_count=300,
        now=at(day + timedelta(days=30)),
    )
    resource_create(
        unit=cast.unit_a,
        actor=cast.liaison_a,
        kind=ResourceKind.MONEY,
        title="共建经费",
        quantity=50000,
        quantity_unit="元",
    )
    alliance = alliance_create(
        name="滚绣坊社区大党委",
        kind=AllianceKind.BIG_COMMITTEE,
        region=tree.community_a1,
        actor=cast.secretary,
        founded_on=date(2024, 1, 1),
    )
    alliance_member_add(alliance=alliance, actor=cast.secretary, unit=cast.unit_a)
    meeting = meeting_schedule(
        actor=cast.secretary, alliance=alliance, title="第二季度联席会议", scheduled_at=at(date(2025, 5, 20))
    )
    meeting_record(
        meeting=meeting, actor=cast.secretary, minutes="认领需求3项", held_at=at(date(2025, 5, 20))
    )
    decision = decision_create(meeting=meeting, actor=cast.secretary, title="设立共建经费")
    decision_step(decision=decision, action="adopt", actor=cast.secretary)
    task_create(
        decision=decision,
        actor=cast.secretary,
        title="拟定经费办法",
        due_on=date(2025, 6, 30),
        owner_unit=cast.unit_a,
    )
    return cast


def sheet_rows(book, title):
    return list(book[title].iter_rows(values_only=True))


def test_workbook_layout_read_back(filled, tree):
    content, counts = ledger_workbook(filled.secretary, year=2025)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == list(SHEETS)
    needs = sheet_rows(book, "需求清单")
    assert "2025年需求清单" in needs[0][0]
    assert needs[1][:4] == ("序号", "需求名称", "类别", "来源")
    body = needs[2:-1]
    assert [r[1] for r in body] == [
        "老旧小区路灯不亮",
        '=HYPERLINK("http://x")',
    ]  # last year's is not in 2025
    assert body[0][8] == "已办结" and body[0][9] == "姑苏区水务局"
    assert (
        book["需求清单"].cell(row=4, column=2).data_type == "s"
    )  # text that looks like a formula stays text
    total = needs[-1]
    assert total[0] == "合计" and total[1] == "共2项，已认领1项，已办结1项" and total[7] == 125
    projects = sheet_rows(book, "项目清单")
    assert projects[2][1] == "路灯改造" and projects[2][2] == "实事" and projects[2][12] == "已完成"
    assert projects[-1][0] == "合计" and float(projects[-1][8]) == 12000 and projects[-1][14] == 300
    resources = sheet_rows(book, "资源清单")
    assert resources[2][1] == "姑苏区水务局" and resources[2][2] == "资金"
    assert resources[-1][1] == "共1项，其中资金50000.00元"
    meetings = sheet_rows(book, "联席会议")
    assert meetings[2][1] == "第二季度联席会议" and meetings[2][6] == "已召开"
    assert "设立共建经费（审议通过）" in meetings[2][10] and meetings[2][11] == "0/1"
    duty = sheet_rows(book, "年度履责")
    assert duty[2][1:3] == ("共建单位办实事", "姑苏区水务局")
    assert duty[2][4:7] == (1, 1, "已完成")
    alliance_row = next(r for r in duty if r[1] == "联席会议")
    assert alliance_row[4:7] == (4, 1, "未完成")  # one meeting in four quarters of a finished year
    assert counts == {"需求清单": 2, "资源清单": 1, "项目清单": 1, "联席会议": 1, "年度履责": 2}


def test_download_is_audited_and_scoped(filled, tree):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(filled.street)
    response = client.get(
        reverse("lists:ledger"), {"year": 2025, "area": tree.community_a1.pk, "download": "1"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == filled.street and event.target == "cobuilding-ledger"
    assert event.detail["year"] == 2025 and event.detail["rows"]["需求清单"] == 2
    # an area outside the user's reach is refused like a bad value; nothing exported, nothing audited
    response = client.get(
        reverse("lists:ledger"), {"year": 2025, "area": tree.community_b1.pk, "download": "1"}
    )
    assert response.status_code == 200 and "area" in response.context["form"].errors
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1
    anonymous = Client().get(reverse("lists:ledger"), {"year": 2025, "download": "1"})
    assert anonymous.status_code == 302
