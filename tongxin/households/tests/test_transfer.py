"""Households in and out of Excel through tongxin.transfer, like the other structure."""

import pytest

from tongxin.core.roles import Role
from tongxin.households.models import Household
from tongxin.testing import make_user
from tongxin.transfer.services import transfer_export, transfer_import
from tongxin.transfer.tests.helpers import read_xlsx, xlsx

pytestmark = pytest.mark.django_db
HEADERS = ["楼栋编码", "街巷院落", "门楼牌号", "单元", "室", "备注"]


def upload(user, rows):
    data = xlsx({"住户": [HEADERS, *rows]})
    return transfer_import(user=user, kind="households", data=data, filename="households.xlsx")


def test_households_are_imported_and_matched_by_their_address(world):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.tree.community_a1)
    code = world.building.code
    report = upload(
        secretary,
        [
            [code, "文昌路", "12", "3", "701", None],
            [code, "文昌路", "12", "3", "502", "独居，子女在外地"],  # the one there: its note changes
        ],
    )
    assert report.ok, report.as_text()
    assert (report.totals.created, report.totals.updated) == (1, 1)
    assert Household.objects.get(room="701").address.endswith("文昌路12号3单元701室")
    world.tagged.refresh_from_db()
    assert world.tagged.note == "独居，子女在外地"


def test_a_bad_row_says_which_row_and_why_and_writes_none(world):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.tree.community_a1)
    before = Household.objects.count()
    report = upload(
        secretary,
        [
            [world.building.code, "文昌路", "12", "1", "101", None],
            [world.tree.grids["1.1"].code, "文昌路", "12", "1", "102", None],  # a grid, not a building
            [world.building.code, "文昌路", "12", "1", None, None],  # no room
            [world.tree.street_b.code + "00100001", "平江路", "1", "1", "1", None],  # no such region
        ],
    )
    assert not report.ok
    rows = {(i.row, i.column) for i in report.issues}
    assert (3, "楼栋编码") in rows and (4, "室") in rows and (5, "楼栋编码") in rows
    assert Household.objects.count() == before


def test_a_building_outside_the_area_is_refused(world):
    other = make_user(Role.COMMUNITY_SECRETARY, world.tree.community_a2)
    report = upload(other, [[world.building.code, "文昌路", "12", "1", "101", None]])
    assert not report.ok
    assert [(i.row, i.column) for i in report.issues] == [(2, "楼栋编码")]


def test_the_export_has_no_care_tags_and_imports_back_unchanged(world):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.tree.community_a1)
    exported = transfer_export(user=secretary, kind="households", root=world.tree.community_a1)
    sheet = read_xlsx(exported.content)["住户"]
    assert sheet[0][:5] == ["楼栋编码", "街巷院落", "门楼牌号", "单元", "室"]
    assert len(sheet) == 1 + 3
    text = str(sheet)
    assert "独居" not in text and "低保" not in text and "living_alone" not in text
    report = transfer_import(
        user=secretary, kind="households", data=exported.content, filename=exported.filename
    )
    assert report.ok, report.as_text()
    assert (report.totals.created, report.totals.updated) == (0, 0)
