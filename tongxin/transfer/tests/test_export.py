import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.people.models import Person
from tongxin.people.services import position_create
from tongxin.regions.models import Region
from tongxin.testing import make_member, make_person, make_user
from tongxin.transfer.services import transfer_export, transfer_import, transfer_template
from tongxin.transfer.tests.helpers import id_number, read_xlsx


@pytest.fixture
def people(tree):
    wang = make_member(
        tree.grids["1.1"], tree.orgs["grid_branch"], name="王芳", phone="13812345678", id_card=id_number(1)
    )
    make_person(
        tree.grids["1.2"], name="李强", phone="0512-65201234", gender="M", birth_date=date(1980, 5, 6)
    )
    make_person(tree.community_a1, name="无号人")
    make_person(tree.community_b1, name="平江人", id_card=id_number(2))
    position_create(
        person=wang, kind="secretary", starts_on=date(2024, 3, 1), organisation=tree.orgs["grid_branch"]
    )
    position_create(person=wang, kind="grid_leader", starts_on=date(2023, 1, 1), region=tree.grids["1.1"])
    return wang


def roundtrip(user, kind, root, **kw):
    exported = transfer_export(user=user, kind=kind, root=root, **kw)
    report = transfer_import(user=user, kind=kind, data=exported.content, filename=exported.filename)
    assert report.ok, report.as_text()
    assert (report.totals.created, report.totals.updated) == (0, 0)
    return exported, report


@pytest.mark.parametrize("kind", ["regions", "grids", "organisations"])
def test_structure_export_reimports_with_no_changes(tree, admin, kind):
    exported, report = roundtrip(admin, kind, tree.city)
    assert report.totals.unchanged == sum(exported.counts.values()) > 0


def test_people_export_masked_reimports_with_no_changes_and_keeps_numbers(tree, street_a_official, people):
    exported, report = roundtrip(street_a_official, "people", tree.street_a)
    assert report.tallies["人员"].unchanged == 3
    assert report.tallies["职务"].unchanged == 2
    sheets = read_xlsx(exported.content)
    wang = next(row for row in sheets["人员"] if row[0] == "王芳")
    assert wang[4] == "3205**********" + id_number(1)[-4:]
    assert wang[5] == "138****5678"
    people.refresh_from_db()
    assert people.reveal_phone() == "13812345678"
    assert people.reveal_id_card() == id_number(1)


def test_revealed_export_is_audited_and_reimports_with_no_changes(tree, street_a_official, people):
    exported, _report = roundtrip(street_a_official, "people", tree.street_a, reveal=True)
    rows = read_xlsx(exported.content)["人员"]
    wang = next(row for row in rows if row[0] == "王芳")
    assert (wang[4], wang[5]) == (id_number(1), "13812345678")
    reveal = AuditEvent.objects.filter(action=Action.REVEAL).latest("id")
    assert reveal.actor_username == street_a_official.username
    assert reveal.detail["export"] == "people"
    export = AuditEvent.objects.filter(action=Action.EXPORT).latest("id")
    assert export.detail["revealed"] is True
    assert export.detail["rows"] == {"人员": 3, "职务": 2}


def test_reveal_needs_people_reveal(tree, people):
    county = make_user(Role.COUNTY_ORG, tree.county)  # exports, but may not reveal
    with pytest.raises(PermissionDenied):
        transfer_export(user=county, kind="people", root=tree.county, reveal=True)
    assert AuditEvent.objects.filter(action=Action.EXPORT, outcome="denied").exists()


def test_export_contains_only_the_subtree(tree, street_a_official, people):
    sheets = read_xlsx(transfer_export(user=street_a_official, kind="regions", root=tree.street_a).content)
    codes = {row[0] for row in sheets["区划"][1:]}
    assert codes == set(
        Region.objects.filter(path__startswith=tree.street_a.path).values_list("code", flat=True)
    )
    assert tree.community_b1.code not in codes
    people_rows = read_xlsx(
        transfer_export(user=street_a_official, kind="people", root=tree.street_a).content
    )
    assert "平江人" not in {row[0] for row in people_rows["人员"]}
    with pytest.raises(PermissionDenied):
        transfer_export(user=street_a_official, kind="regions", root=tree.county)


def test_export_layout_summary_and_formatting(tree, admin):
    from io import BytesIO

    from openpyxl import load_workbook

    exported = transfer_export(user=admin, kind="regions", root=tree.city)
    workbook = load_workbook(BytesIO(exported.content))
    sheet = workbook["区划"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert sheet.column_dimensions["A"].width >= 20
    summary = workbook["汇总"]
    count = Region.objects.count()
    lines = [row for row in summary.iter_rows() if row[0].value is not None and len(row) > 1]
    assert [row[0].value for row in lines if row[1].value == count] == ["区划", lines[-1][0].value]
    assert lines[-1][0].font.b  # the totals line is bold
    assert exported.counts == {"区划": Region.objects.count()}


def test_masked_export_edited_then_reimported_updates_only_the_edit(tree, street_a_official, people):
    import io

    from openpyxl import load_workbook

    exported = transfer_export(user=street_a_official, kind="people", root=tree.street_a)
    workbook = load_workbook(io.BytesIO(exported.content))
    sheet = workbook["人员"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "王芳":
            row[7].value = "新地址"
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = transfer_import(user=street_a_official, kind="people", data=buffer.getvalue(), filename="x.xlsx")
    assert report.tallies["人员"].updated == 1
    wang = Person.objects.get(name="王芳")
    assert wang.address == "新地址"
    assert wang.reveal_phone() == "13812345678"


def test_grids_geojson_export_reimports(tree, admin):
    exported = transfer_export(user=admin, kind="grids", root=tree.city, fmt="geojson")
    data = json.loads(exported.content)
    assert len(data["features"]) == 4
    report = transfer_import(user=admin, kind="grids", data=exported.content, filename=exported.filename)
    assert (report.totals.unchanged, report.totals.created, report.totals.updated) == (4, 0, 0)


@pytest.mark.parametrize("kind", ["regions", "grids", "organisations", "people"])
def test_templates_have_an_example_row_and_notes(kind):
    sheets = read_xlsx(transfer_template(kind=kind).content)
    assert "说明" in sheets
    main = next(iter(sheets.values()))
    assert len(main) == 2 and all(main[0])


def test_text_that_looks_like_a_formula_is_exported_as_text(tree, street_a_official):
    import io

    from openpyxl import load_workbook

    make_person(tree.grids["1.1"], name="公式", address='=HYPERLINK("http://x","y")')
    exported, _report = roundtrip(street_a_official, "people", tree.street_a)
    sheet = load_workbook(io.BytesIO(exported.content))["人员"]
    cell = next(row[7] for row in sheet.iter_rows(min_row=2) if row[0].value == "公式")
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","y")'
