"""Households in villages: directly under a village group (村民小组, a grid without buildings), with
组 and 门牌号 and no unit or room; scoped, visited from my grid, imported from Excel."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.gridwork.models import LogEntry
from tongxin.households.models import CareTag, Household
from tongxin.households.services import (
    NewHousehold,
    household_create,
    household_set_tags,
    households_bulk_create,
)
from tongxin.regions.models import Kind, Level, Region
from tongxin.regions.services import region_create, region_move
from tongxin.testing import make_user
from tongxin.transfer.services import transfer_export, transfer_import
from tongxin.transfer.tests.helpers import read_xlsx, xlsx

pytestmark = pytest.mark.django_db
HEADERS = ["楼栋编码", "街巷院落", "门楼牌号", "单元", "室", "备注"]


@dataclass
class Township:
    town: Region
    dazhai: Region
    gaofeng: Region
    group1: Region  # 大寨村第一网格: a village group, no buildings
    group_b: Region  # 高丰村第一网格


@pytest.fixture
def township(tree) -> Township:
    town = region_create(
        actor=SYSTEM,
        name="禾田镇",
        level=Level.STREET,
        kind=Kind.TOWN,
        code="320508101000",
        parent=tree.county,
    )
    villages = [
        region_create(
            actor=SYSTEM,
            name=name,
            level=Level.COMMUNITY,
            kind=Kind.VILLAGE,
            code=f"320508101{n:03d}",
            parent=town,
        )
        for n, name in ((201, "大寨村"), (202, "高丰村"))
    ]
    groups = [
        region_create(actor=SYSTEM, name=f"{v.name}第一网格", level=Level.GRID, code=f"{v.code}001", parent=v)
        for v in villages
    ]
    return Township(town, villages[0], villages[1], groups[0], groups[1])


def village_household(group: Region, number: str = "23", **data) -> Household:
    return household_create(
        actor=SYSTEM, building=group, street=data.pop("street", "一组"), house_number=number
    )


def test_a_village_household_has_the_village_address_and_its_grid(township):
    household = village_household(township.group1)
    assert household.address == "姑苏区禾田镇大寨村一组23号"
    assert household.short_address == "一组23号"
    assert household.grid == township.group1 and household.community == township.dazhai
    assert household.region_path == township.group1.path and household.in_village_group


def test_a_village_household_needs_a_group_and_a_number_and_no_room(township):
    with pytest.raises(ValidationError) as no_number:
        household_create(actor=SYSTEM, building=township.group1, street="一组")
    assert "house_number" in no_number.value.message_dict
    with pytest.raises(ValidationError) as room:
        household_create(actor=SYSTEM, building=township.group1, street="一组", house_number="5", room="101")
    assert "room" in room.value.message_dict
    village_household(township.group1, "7")
    with pytest.raises(ValidationError) as twice:
        village_household(township.group1, "7")
    assert "house_number" in twice.value.message_dict


def test_a_household_under_a_grid_with_buildings_is_refused(tree, township):
    grid = tree.grids["1.1"]  # has tree.building
    with pytest.raises(ValidationError) as refused:
        household_create(actor=SYSTEM, building=grid, street="一组", house_number="3")
    assert "building" in refused.value.message_dict
    assert grid.name in refused.value.message_dict["building"][0]
    with pytest.raises(ValidationError):
        household_create(actor=SYSTEM, building=township.dazhai, street="一组", house_number="3")
    with pytest.raises(ValidationError) as bulk:
        households_bulk_create(
            actor=SYSTEM,
            rows=[
                NewHousehold(building=township.group1, street="一组", house_number="1"),
                NewHousehold(building=grid, street="一组", house_number="2"),
            ],
        )
    assert bulk.value.message_dict["households"][0].startswith("Row 2")
    assert not Household.objects.exists()


def test_listed_for_its_grid_worker_visited_from_my_grid_out_of_scope_elsewhere(township):
    household = village_household(township.group1)
    household_set_tags(
        household=household,
        actor=SYSTEM,
        tags=CareTag.objects.filter(region__isnull=True, code="living_alone"),
    )
    worker = make_user(Role.GRID_WORKER, township.group1, username="dazhai1")
    client = login(worker)
    listing = client.get(reverse("households:list"))
    assert listing.status_code == 200 and "一组23号" in listing.content.decode()
    assert "一组23号" in client.get(reverse("gridwork:my_grid")).content.decode()  # due: 独居老人
    grid = township.group1
    screen2 = client.get(reverse("gridwork:record_household", args=["visit"]) + f"?grid={grid.pk}")
    assert "一组23号" in screen2.content.decode()
    url = reverse("gridwork:record_details", args=["visit"]) + f"?grid={grid.pk}&household={household.pk}"
    done = client.post(url, {"household": household.pk, "note": "家中一切正常", "key": "v1"})
    assert done.status_code == 302, done.content.decode()[:2000]
    assert LogEntry.objects.get().household == household
    assert "一组23号" in client.get(reverse("gridwork:my_grid")).content.decode()  # today's log
    assert client.get(reverse("households:detail", args=[household.pk])).status_code == 200

    other = login(make_user(Role.COMMUNITY_SECRETARY, township.gaofeng, username="gaofeng_shuji"))
    assert other.get(reverse("households:detail", args=[household.pk])).status_code == 404
    assert "一组23号" not in other.get(reverse("households:list")).content.decode()
    assert other.get(f"/api/v1/households/{household.pk}").status_code == 404


def test_the_api_adds_a_village_household(township):
    secretary = make_user(Role.COMMUNITY_SECRETARY, township.dazhai, username="dazhai_shuji")
    client = login(secretary)
    made = client.post(
        "/api/v1/households",
        {"building": township.group1.pk, "street": "一组", "house_number": "31"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["address"] == "姑苏区禾田镇大寨村一组31号"
    refused = client.post(
        "/api/v1/households",
        {"building": township.group1.pk, "street": "一组", "house_number": "31", "room": "2"},
        content_type="application/json",
    )
    assert refused.status_code in (400, 422) and "room" in refused.content.decode()


def test_village_rows_are_imported_and_exported(tree, township):
    secretary = make_user(Role.COMMUNITY_SECRETARY, township.dazhai, username="dazhai_shuji")
    data = xlsx(
        {
            "住户": [
                HEADERS,
                [township.group1.code, "一组", "23", None, None, None],
                [township.group1.code, "一组", "44", None, None, "独居"],
            ]
        }
    )
    report = transfer_import(user=secretary, kind="households", data=data, filename="h.xlsx")
    assert report.ok, report.as_text()
    assert report.totals.created == 2
    assert set(Household.objects.values_list("address", flat=True)) == {
        "姑苏区禾田镇大寨村一组23号",
        "姑苏区禾田镇大寨村一组44号",
    }
    exported = transfer_export(user=secretary, kind="households", root=township.dazhai)
    sheet = read_xlsx(exported.content)["住户"]
    assert [row[0] for row in sheet[1:]] == [township.group1.code] * 2
    again = transfer_import(user=secretary, kind="households", data=exported.content, filename="h.xlsx")
    assert again.ok and again.totals.created == 0


def test_bad_village_rows_say_which_row_and_why(tree, township):
    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="a1")
    village = make_user(Role.COMMUNITY_SECRETARY, township.dazhai, username="dazhai_shuji")
    report = transfer_import(
        user=village,
        kind="households",
        data=xlsx(
            {
                "住户": [
                    HEADERS,
                    [township.group1.code, "一组", "23", None, None, None],
                    [township.group1.code, "一组", None, None, None, None],  # no house number
                    [township.group1.code, "一组", "9", "1", "101", None],  # unit and room
                    [township.dazhai.code, "一组", "9", None, None, None],  # the village, not a group
                ]
            }
        ),
        filename="h.xlsx",
    )
    assert not report.ok
    rows = {(i.row, i.column) for i in report.issues}
    assert (3, "门楼牌号") in rows and (4, "室") in rows and (5, "楼栋编码") in rows
    assert not Household.objects.exists()
    grid_with_buildings = transfer_import(
        user=secretary,
        kind="households",
        data=xlsx({"住户": [HEADERS, [tree.grids["1.1"].code, "一组", "3", None, None, None]]}),
        filename="h.xlsx",
    )
    assert [(i.row, i.column) for i in grid_with_buildings.issues] == [(2, "楼栋编码")]


def test_a_village_group_moved_to_another_village_takes_its_households(township):
    household = village_household(township.group1)
    region_move(region=township.group1, new_parent=township.gaofeng, new_code=f"{township.gaofeng.code}009")
    household.refresh_from_db()
    township.group1.refresh_from_db()
    assert household.community == township.gaofeng and household.grid == township.group1
    assert household.region_path == township.group1.path
