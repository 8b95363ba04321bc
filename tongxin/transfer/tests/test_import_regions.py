import json
from typing import Any

import pytest

from tongxin.audit.models import Action, AuditEvent
from tongxin.regions.models import Level, Region
from tongxin.transfer.services import transfer_import
from tongxin.transfer.tests.helpers import rect, xlsx

HEADER = ["编码", "名称", "层级", "类型", "上级编码", "地址", "经度", "纬度", "边界"]
NEW_COMMUNITY = [
    "320508020002",
    "新桥社区",
    "社区",
    "社区",
    "320508020000",
    "新桥路1号",
    None,
    None,
    rect(120.66, 31.30, 120.68, 31.32),
]
NEW_GRID = [
    "320508020002001",
    "新桥社区第1网格",
    "网格",
    None,
    "320508020002",
    None,
    None,
    None,
    rect(120.66, 31.30, 120.67, 31.32),
]
NEW_BUILDING = ["32050802000200100001", "1幢", "楼栋", None, "320508020002001", None, 120.665, 31.31, None]


def regions_file(*rows):
    return xlsx({"区划": [HEADER, *rows]})


def run(user, data, kind="regions", filename="regions.xlsx", **kw):
    return transfer_import(user=user, kind=kind, data=data, filename=filename, **kw)


def test_good_file_creates_every_row_children_before_parents(tree, street_b_official):
    # the grid and building come before their community: rows are ordered by their parents
    report = run(street_b_official, regions_file(NEW_BUILDING, NEW_GRID, NEW_COMMUNITY))
    assert report.ok, report.as_text()
    assert report.totals.created == 3
    grid = Region.objects.get(code="320508020002001")
    assert grid.level == Level.GRID
    assert grid.parent is not None and grid.parent.code == "320508020002"
    building = Region.objects.get(code="32050802000200100001")
    assert (building.centre_lng, building.centre_lat) == (120.665, 31.31)
    event = AuditEvent.objects.filter(action=Action.IMPORT).latest("id")
    assert event.outcome == "success"
    assert event.detail["created"] == 3
    assert event.actor_username == street_b_official.username


def test_reimporting_the_same_file_changes_nothing(tree, street_b_official):
    data = regions_file(NEW_COMMUNITY, NEW_GRID, NEW_BUILDING)
    run(street_b_official, data)
    before = {r.code: r.updated_at for r in Region.objects.all()}
    report = run(street_b_official, data)
    assert report.ok
    assert (report.totals.created, report.totals.updated, report.totals.unchanged) == (0, 0, 3)
    assert {r.code: r.updated_at for r in Region.objects.all()} == before


def test_changed_row_updates_only_what_differs(tree, admin):
    row = ["320508019044", "滚绣坊社区（新）", "社区", None, "320508019000", "十全街", None, None, None]
    report = run(admin, regions_file(row))
    assert (report.totals.created, report.totals.updated) == (0, 1)
    community = Region.objects.get(code="320508019044")
    assert community.name == "滚绣坊社区（新）"
    assert community.address == "十全街"
    assert community.geometry is not None  # the empty boundary cell kept the stored one


@pytest.mark.parametrize(
    ("bad_row", "column", "reason_part"),
    [
        (["32050802", "坏编码", "社区", None, "320508020000", None, None, None, None], "编码", "12 digits"),
        (
            # a bow-tie: the boundary crosses itself
            [
                "320508020002002",
                "坏网格",
                "网格",
                None,
                "320508020002",
                None,
                None,
                None,
                json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [120.66, 31.30],
                                [120.67, 31.32],
                                [120.67, 31.30],
                                [120.66, 31.32],
                                [120.66, 31.30],
                            ]
                        ],
                    }
                ),
            ],
            "边界",
            "not valid",
        ),
        (
            ["320508099001", "无上级", "社区", None, "320508099000", None, None, None, None],
            "上级编码",
            "320508099000",
        ),
        (
            ["320508020003", "坏层级", "小区", None, "320508020000", None, None, None, None],
            "层级",
            "Unknown value",
        ),
    ],
)
def test_one_bad_row_writes_nothing_and_names_row_column_reason(
    tree, street_b_official, bad_row, column, reason_part
):
    count = Region.objects.count()
    report = run(street_b_official, regions_file(NEW_COMMUNITY, NEW_GRID, bad_row, NEW_BUILDING))
    assert not report.ok
    assert Region.objects.count() == count
    assert not Region.objects.filter(code="320508020002").exists()
    [issue] = report.issues
    assert issue.row == 4  # header is row 1, the bad row is the third data row
    assert issue.column == column
    assert reason_part in issue.reason
    event = AuditEvent.objects.filter(action=Action.IMPORT).latest("id")
    assert event.outcome == "failure"
    assert event.detail["created"] == 0
    assert event.detail["errors"] == 1


def test_every_bad_row_is_reported_not_only_the_first(tree, street_b_official):
    rows = [
        ["320508020005", "", "社区", None, "320508020000"],
        ["320508020006", "好社区", "社区", None, "320508020000"],
        ["320508020007", "好社区", "社区", None, "320508029999"],
    ]
    report = run(street_b_official, regions_file(*rows))
    assert [(i.row, i.column) for i in report.sorted_issues()] == [(2, "名称"), (4, "上级编码")]
    assert not Region.objects.filter(code="320508020006").exists()


def test_child_of_a_bad_row_says_so(tree, street_b_official):
    bad_parent = ["320508020002", "新桥社区", "社区", None, "320508020000", None, None, None, "{not json"]
    report = run(street_b_official, regions_file(bad_parent, NEW_GRID))
    reasons = {(i.row, i.column): i.reason for i in report.issues}
    assert "GeoJSON" in reasons[(2, "边界")]
    assert "see its row" in reasons[(3, "上级编码")]


def test_row_outside_the_users_area_is_refused(tree, street_b_official):
    row = ["320508019046", "越界社区", "社区", None, "320508019000", None, None, None, None]  # under street A
    report = run(street_b_official, regions_file(NEW_COMMUNITY, row))
    assert [(i.row, i.column, i.reason) for i in report.issues] == [
        (3, "上级编码", "This is outside your area.")
    ]
    assert not Region.objects.filter(code__in=["320508019046", "320508020002"]).exists()


def test_updating_a_region_outside_the_area_is_refused(tree, street_b_official):
    row = ["320508019044", "改名", "社区", None, "320508019000"]
    report = run(street_b_official, regions_file(row))
    assert report.issues[0].column == "编码"
    assert "outside your area" in report.issues[0].reason
    assert Region.objects.get(code="320508019044").name == "滚绣坊社区"


def test_level_cannot_change_and_regions_do_not_move(tree, admin):
    rows = [
        ["320508019044", "滚绣坊社区", "街道", None, "320508019000"],
        ["320508019045", "锦帆路社区", "社区", None, "320508020000"],
    ]
    report = run(admin, regions_file(*rows))
    assert [(i.row, i.column) for i in report.issues] == [(2, "层级"), (3, "上级编码")]


def test_duplicate_codes_and_parent_loops_are_reported(tree, admin):
    rows = [
        ["320508019046", "甲", "社区", None, "320508019000"],
        ["320508019046", "乙", "社区", None, "320508019000"],
        ["320508019047001", "环1", "网格", None, "320508019047002", None, None, None, rect(1, 1, 2, 2)],
        ["320508019047002", "环2", "网格", None, "320508019047001", None, None, None, rect(1, 1, 2, 2)],
    ]
    report = run(admin, regions_file(*rows))
    found = {(i.row, i.column) for i in report.issues}
    assert (3, "编码") in found
    assert {(4, "上级编码"), (5, "上级编码")} <= found


def test_english_headers_any_order_title_row_and_level_ids(tree, street_b_official):
    data = xlsx(
        {
            "Sheet1": [
                ["平江街道区划表"],
                ["parent_code", "Name", "CODE", "level", "notes"],
                ["320508020000", "新桥社区", "320508020002", "community", "ignored"],
                [None, None, None, None, None],
                ["320508020000", "新港社区", 320508020003, "社区/村", None],
            ]
        }
    )
    report = run(street_b_official, data)
    assert report.ok, report.as_text()
    assert report.totals.created == 2
    assert report.ignored_columns == ["Sheet1: notes"]
    assert Region.objects.filter(code="320508020003", level=Level.COMMUNITY).exists()


def test_a_code_that_excel_turned_into_a_number_is_refused(tree, admin):
    row = [32050801904400100002.0, "2幢", "楼栋", None, "320508019044001"]
    report = run(admin, regions_file(row))
    assert report.issues[0].column == "编码"
    assert "Format the column as text" in report.issues[0].reason


def test_kind_must_fit_the_level(tree, street_b_official):
    row = ["320508020002", "新桥社区", "社区", "街道", "320508020000"]
    report = run(street_b_official, regions_file(row))
    assert report.issues[0].column == "类型"


def test_dry_run_writes_nothing_but_reports_counts(tree, street_b_official):
    report = run(street_b_official, regions_file(NEW_COMMUNITY), dry_run=True)
    assert report.ok and report.dry_run
    assert report.totals.created == 1
    assert not Region.objects.filter(code="320508020002").exists()


def test_new_root_regions_cannot_be_imported(tree, admin):
    report = run(admin, regions_file(["320600000000", "另一市", "市", None, None]))
    assert "outside your area" in report.issues[0].reason


# -- grids ---------------------------------------------------------------------------------

GRID_HEADER = ["网格编码", "网格名称", "上级编码", "边界", "地址"]


def test_grids_sheet_creates_nested_grids_and_requires_a_boundary(tree, admin):
    data = xlsx(
        {
            "网格": [
                GRID_HEADER,
                ["320508020001002", "子网格", "320508020001001", rect(120.64, 31.30, 120.645, 31.31), None],
                [
                    "320508020001001",
                    "平江路第1网格",
                    "320508020001",
                    rect(120.64, 31.30, 120.65, 31.32),
                    "平江路",
                ],
            ]
        }
    )
    report = run(admin, data, kind="grids")
    assert report.ok, report.as_text()
    nested = Region.objects.get(code="320508020001002")
    assert nested.parent is not None and nested.parent.code == "320508020001001"
    missing = xlsx({"网格": [GRID_HEADER, ["320508020001003", "无边界", "320508020001", None, None]]})
    report = run(admin, missing, kind="grids")
    assert (report.issues[0].column, report.issues[0].reason) == ("边界", "A grid needs its boundary.")


def test_grid_import_refuses_a_grid_outside_its_community(tree, admin):
    data = xlsx(
        {
            "网格": [
                GRID_HEADER,
                ["320508020001001", "出界", "320508020001", rect(120.0, 31.0, 120.1, 31.1), None],
            ]
        }
    )
    report = run(admin, data, kind="grids")
    assert report.issues[0].column == "边界"
    assert "outside" in report.issues[0].reason


def test_grid_import_refuses_codes_of_other_levels(tree, admin):
    data = xlsx(
        {
            "网格": [
                GRID_HEADER,
                ["320508019044", "社区", "320508019000", rect(120.6, 31.3, 120.62, 31.32), None],
            ]
        }
    )
    report = run(admin, data, kind="grids")
    assert report.issues[0].column == "网格编码"


def test_geojson_feature_collection_upload(tree, admin):
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(rect(120.64, 31.30, 120.65, 31.32)),
                "properties": {
                    "编码": "320508020001001",
                    "名称": "第1网格",
                    "上级编码": "320508020001",
                    "id": 7,
                },
            },
            {
                "type": "Feature",
                "geometry": json.loads(rect(120.65, 31.30, 120.66, 31.32)),
                "properties": {"code": "320508020001002", "name": "第2网格", "parent_code": 320508020001},
            },
        ],
    }
    data = json.dumps(collection, ensure_ascii=False).encode()
    report = run(admin, data, kind="grids", filename="grids.geojson")
    assert report.ok, report.as_text()
    assert report.totals.created == 2
    again = run(admin, data, kind="grids", filename="grids.geojson")
    assert (again.totals.created, again.totals.updated, again.totals.unchanged) == (0, 0, 2)
    collection["features"][1]["geometry"] = {"type": "Point", "coordinates": [120.65, 31.31]}
    bad = run(admin, json.dumps(collection).encode(), kind="grids", filename="grids.geojson")
    assert [(i.sheet, i.row, i.column) for i in bad.issues] == [("GeoJSON", 2, "geometry")]
