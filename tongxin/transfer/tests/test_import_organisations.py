from datetime import date

from tongxin.organisations.models import OrgKind, PartyOrganisation
from tongxin.transfer.services import transfer_import
from tongxin.transfer.tests.helpers import xlsx

HEADER = ["组织编码", "组织名称", "组织类型", "上级组织编码", "所在区划编码", "成立日期", "届满日期"]


def run(user, *rows):
    return transfer_import(
        user=user, kind="organisations", data=xlsx({"党组织": [HEADER, *rows]}), filename="o.xlsx"
    )


def test_organisations_are_created_parents_first_with_dates_in_any_spelling(tree, admin):
    report = run(
        admin,
        ["ORG-0102", "第1党小组", "党小组", "ORG-0101", "320508019044002", "2024年3月1日", None],
        [
            "ORG-0101",
            "滚绣坊社区第2网格党支部",
            "网格党支部",
            "ORG-0003",
            "320508019044002",
            "2021/7/1",
            "2026-06-30",
        ],
    )
    assert report.ok, report.as_text()
    branch = PartyOrganisation.objects.get(code="ORG-0101")
    assert branch.kind == OrgKind.GRID_BRANCH
    assert (branch.founded_on, branch.term_ends_on) == (date(2021, 7, 1), date(2026, 6, 30))
    group = PartyOrganisation.objects.get(code="ORG-0102")
    assert group.parent == branch
    assert group.founded_on == date(2024, 3, 1)


def test_reimport_changes_nothing_and_an_edit_updates(tree, admin):
    row = ["ORG-0101", "第2网格党支部", "网格党支部", "ORG-0003", "320508019044002", "2021-07-01", None]
    assert run(admin, row).totals.created == 1
    again = run(admin, row)
    assert (again.totals.created, again.totals.updated, again.totals.unchanged) == (0, 0, 1)
    row[6] = "2026-06-30"
    assert run(admin, row).totals.updated == 1
    assert PartyOrganisation.objects.get(code="ORG-0101").term_ends_on == date(2026, 6, 30)


def test_bad_rows_write_nothing(tree, admin):
    count = PartyOrganisation.objects.count()
    report = run(
        admin,
        ["ORG-0101", "好支部", "党支部", "ORG-0003", "320508019044", None, None],
        ["ORG-0102", "坏类型", "合作社", "ORG-0003", "320508019044", None, None],
        ["ORG-0103", "无上级", "党支部", "ORG-9999", "320508019044", None, None],
        ["ORG-0104", "区划不对", "党支部", "ORG-0003", "320508020001", None, None],
        ["ORG-0105", "坏日期", "党支部", "ORG-0003", "320508019044", "2021-02-30", None],
    )
    assert PartyOrganisation.objects.count() == count
    assert [(i.row, i.column) for i in report.sorted_issues()] == [
        (3, "组织类型"),
        (4, "上级组织编码"),
        (5, "所在区划编码"),
        (6, "成立日期"),
    ]


def test_organisation_outside_the_area_is_refused(tree, street_b_official):
    report = run(street_b_official, ["ORG-0101", "支部", "党支部", "ORG-0003", "320508019044", None, None])
    assert (report.issues[0].column, report.issues[0].reason) == (
        "所在区划编码",
        "This is outside your area.",
    )
    report = run(street_b_official, ["ORG-0003", "改名", "党委", None, None, None, None])
    assert report.issues[0].column == "组织编码"
