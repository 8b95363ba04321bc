from datetime import date

from tongxin.core.roles import Role
from tongxin.people.models import PartyStatus, Person, Position, PositionKind
from tongxin.people.services import find_person_by_id_card as _find
from tongxin.testing import make_person, make_user
from tongxin.transfer.services import transfer_import
from tongxin.transfer.tests.helpers import id_number, xlsx

PEOPLE = [
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "身份证号",
    "手机号",
    "居住区划编码",
    "地址",
    "工作单位",
    "政治面貌",
    "入党日期",
    "转正日期",
    "所在支部编码",
]
POSITIONS = ["身份证号", "姓名", "职务", "区划编码", "组织编码", "开始日期", "结束日期"]
GRID = "320508019044001"


def find_person_by_id_card(number: str) -> Person:
    person = _find(number)
    assert person is not None
    return person


def person_row(name, seq, *, phone="13812340001", status="群众", branch=None, region=GRID, **over):
    row = {
        "姓名": name,
        "性别": "女",
        "出生日期": date(1990, 1, 1),
        "民族": "汉族",
        "身份证号": id_number(seq) if seq else None,
        "手机号": phone,
        "居住区划编码": region,
        "地址": "十全街1号",
        "工作单位": None,
        "政治面貌": status,
        "入党日期": "2012-07-01" if status != "群众" else None,
        "转正日期": "2013/7/1" if status == "正式党员" else None,
        "所在支部编码": branch,
    }
    row.update(over)
    return [row[h] for h in PEOPLE]


def people_file(people, positions=None):
    sheets = {"人员": [PEOPLE, *people]}
    if positions is not None:
        sheets["职务"] = [POSITIONS, *positions]
    return xlsx(sheets)


def run(user, data, **kw):
    return transfer_import(user=user, kind="people", data=data, filename="people.xlsx", **kw)


def test_people_and_positions_are_created(tree, street_a_official):
    data = people_file(
        [
            person_row("王芳", 1, status="正式党员", branch="ORG-0004"),
            person_row("李强", 2, phone="0512-65201234"),
            person_row("赵六", None, phone=None),
        ],
        [
            [id_number(1), "王芳", "书记", None, "ORG-0004", "2024-03-01", None],
            [id_number(2), "李强", "网格员", GRID, None, "2024/3/1", None],
        ],
    )
    report = run(street_a_official, data)
    assert report.ok, report.as_text()
    assert report.tallies["人员"].created == 3
    assert report.tallies["职务"].created == 2
    wang = find_person_by_id_card(id_number(1))
    assert wang.party_status == PartyStatus.FULL
    assert wang.party_full_on == date(2013, 7, 1)
    assert wang.branch is not None and wang.branch.code == "ORG-0004"
    assert wang.reveal_phone() == "13812340001"
    secretary = Position.objects.get(person=wang)
    assert (secretary.kind, secretary.region.code) == (PositionKind.SECRETARY, GRID)
    assert Position.objects.get(person__name="李强").starts_on == date(2024, 3, 1)


def test_reimport_changes_nothing(tree, street_a_official):
    data = people_file(
        [person_row("王芳", 1), person_row("赵六", None, phone=None), person_row("钱七", None)],
        [[id_number(1), "王芳", "网格员", GRID, None, "2024-03-01", None]],
    )
    assert run(street_a_official, data).ok
    again = run(street_a_official, data)
    assert again.ok, again.as_text()
    assert again.totals.created == again.totals.updated == 0
    assert again.totals.unchanged == 4
    assert Person.objects.filter(name__in=["王芳", "赵六", "钱七"]).count() == 3


def test_person_with_a_bad_id_card_writes_nothing(tree, street_a_official):
    bad = id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")
    data = people_file([person_row("王芳", 1), person_row("坏号", None, 身份证号=bad)])
    report = run(street_a_official, data)
    assert not Person.objects.filter(name__in=["王芳", "坏号"]).exists()
    [issue] = report.issues
    assert (issue.sheet, issue.row, issue.column) == ("人员", 3, "身份证号")
    assert "not valid" in issue.reason
    assert "*" in issue.value  # the report masks the number


def test_a_bad_position_row_undoes_the_people_too(tree, street_a_official):
    data = people_file(
        [person_row("王芳", 1)],
        [[id_number(1), "王芳", "网格长", "320508019044", None, "2024-03-01", None]],  # not a grid
    )
    report = run(street_a_official, data)
    assert [(i.sheet, i.row, i.column) for i in report.issues] == [("职务", 2, "区划编码")]
    assert not Person.objects.filter(name="王芳").exists()


def test_updates_match_by_id_card_and_keep_what_is_empty(tree, street_a_official):
    assert run(street_a_official, people_file([person_row("王芳", 1)])).ok
    row = person_row("王芳", 1, phone="13900000000", 民族=None, 地址="新地址")
    report = run(street_a_official, people_file([row]))
    assert report.totals.updated == 1
    person = find_person_by_id_card(id_number(1))
    assert person.reveal_phone() == "13900000000"
    assert person.address == "新地址"
    assert person.ethnicity == "汉族"


def test_person_without_id_card_is_matched_by_name_region_and_phone(tree, street_a_official):
    existing = make_person(tree.grids["1.1"], name="孙八", phone="13812349999")
    report = run(street_a_official, people_file([person_row("孙八", None, phone="13812349999", 地址="八号")]))
    assert report.totals.updated == 1
    existing.refresh_from_db()
    assert existing.address == "八号"
    # a full ID number for someone known without one is added to that person
    report = run(street_a_official, people_file([person_row("孙八", 8, phone="13812349999", 地址="八号")]))
    assert report.totals.updated == 1
    assert find_person_by_id_card(id_number(8)) == existing


def test_namesakes_without_id_card_must_be_told_apart(tree, street_a_official):
    make_person(tree.grids["1.1"], name="周九")
    make_person(tree.grids["1.1"], name="周九")
    report = run(street_a_official, people_file([person_row("周九", None, phone=None)]))
    assert report.issues[0].column == "姓名"


def test_person_outside_the_area_is_refused(tree, street_b_official, street_a_official):
    report = run(street_b_official, people_file([person_row("王芳", 1)]))
    assert (report.issues[0].column, report.issues[0].reason) == (
        "居住区划编码",
        "This is outside your area.",
    )
    assert run(street_a_official, people_file([person_row("王芳", 1)])).ok
    # the person is found by ID number, but lives outside street B's area
    report = run(street_b_official, people_file([person_row("王芳", 1, region="320508020001")]))
    assert report.issues[0].column == "身份证号"
    assert find_person_by_id_card(id_number(1)).region.code == GRID


def test_masked_numbers_keep_the_stored_ones(tree, street_a_official):
    assert run(street_a_official, people_file([person_row("王芳", 1, phone="13812345678")])).ok
    masked_id = id_number(1)[:4] + "*" * 10 + id_number(1)[-4:]
    row = person_row("王芳", None, phone="138****5678", 身份证号=masked_id, 地址="改了")
    report = run(street_a_official, people_file([row]))
    assert report.totals.updated == 1, report.as_text()
    person = Person.objects.get(name="王芳")
    assert person.reveal_phone() == "13812345678"
    assert person.reveal_id_card() == id_number(1)
    assert person.address == "改了"


def test_masked_number_cannot_create_a_person(tree, street_a_official):
    report = run(street_a_official, people_file([person_row("新人", None, phone="138****5678")]))
    assert report.issues[0].column == "手机号"
    assert not Person.objects.filter(name="新人").exists()


def test_people_import_needs_people_edit(tree):
    county_official = make_user(Role.COUNTY_ORG, tree.county)  # data.import, but no people.edit
    report = run(county_official, people_file([person_row("王芳", 1)]))
    assert report.rejected
    assert not Person.objects.filter(name="王芳").exists()


def test_position_for_unknown_person_and_ended_position_update(tree, street_a_official):
    report = run(
        street_a_official, people_file([], [[id_number(5), None, "网格员", GRID, None, "2024-03-01", None]])
    )
    assert report.issues[0].column == "身份证号"
    rows = [person_row("王芳", 1)]
    assert run(
        street_a_official, people_file(rows, [[id_number(1), None, "网格员", GRID, None, "2024-03-01", None]])
    ).ok
    ended = run(
        street_a_official,
        people_file(rows, [[id_number(1), None, "网格员", GRID, None, "2024-03-01", "2025-01-31"]]),
    )
    assert ended.tallies["职务"].updated == 1
    assert Position.objects.get(person__name="王芳").ends_on == date(2025, 1, 31)
