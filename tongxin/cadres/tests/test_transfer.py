"""The roster through Excel: the export holds the unit's cadres and their facts; an import writes all
rows or none, each bad row reported by its number and reason; nobody exports another village."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tongxin.cadres.models import CadreProfile
from tongxin.core.tests.listing import login

pytestmark = pytest.mark.django_db

HEADERS = ["身份证号", "姓名", "社区/村编码", "学历", "在读学历", "在读院校", "致富能手", "大学生村干部"]


def _file(rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "干部名册"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


def _import(client, rows):
    return client.post(reverse("transfer:import", args=["cadres"]), {"file": _file(rows), "dry_run": ""})


def test_the_export_holds_the_unit_s_cadres(world, village_secretary):
    client = login(village_secretary)
    response = client.get(
        reverse("transfer:export", args=["cadres"]), {"root": world.tree.community_a1.pk, "format": "xlsx"}
    )
    assert response.status_code == 200, response.content[:500]
    sheet = load_workbook(io.BytesIO(response.content))["干部名册"]
    rows = list(sheet.iter_rows(values_only=True))
    names = {r[1] for r in rows[1:]}
    assert names == {"王书记", "李委员", "钱网格长"}
    header = list(rows[0])
    secretary = next(r for r in rows if r[1] == "王书记")
    assert secretary[header.index("学历")] == "本科" and secretary[header.index("致富能手")] == "是"


def test_another_village_cannot_export_this_one(world, other_secretary):
    client = login(other_secretary)
    response = client.get(
        reverse("transfer:export", args=["cadres"]), {"root": world.tree.community_a1.pk, "format": "xlsx"}
    )
    assert response.status_code in (403, 404) or "王书记".encode() not in response.content


def test_an_import_writes_every_row_or_none(world, village_secretary):
    client = login(village_secretary)
    code = world.tree.community_a1.code
    bad = _import(
        client,
        [
            ["", "李委员", code, "大专", "本科", "黔源开放大学", "否", "否"],
            ["", "无此人", code, "本科", "", "", "否", "否"],
            ["", "钱网格长", world.tree.community_b1.code, "本科", "", "", "否", "否"],
            ["", "钱网格长", code, "博士后", "", "", "否", "否"],
        ],
    )
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "无此人" in body and "博士后" in body  # each bad row with its reason
    assert CadreProfile.objects.get(person=world.member).education == "senior"  # nothing written
    good = _import(
        client,
        [
            ["", "李委员", code, "大专", "本科", "黔源开放大学", "否", "否"],
            ["", "钱网格长", code, "本科", "", "", "是", "是"],
        ],
    )
    assert good.status_code in (200, 302)
    profile = CadreProfile.objects.get(person=world.member)
    assert (profile.education, profile.upgrade_level, profile.upgrade_school) == (
        "college",
        "bachelor",
        "黔源开放大学",
    )
    leader = CadreProfile.objects.get(person=world.grid_leader)
    assert leader.wealth_leader and leader.college_graduate_cadre
