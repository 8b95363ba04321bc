"""An import reports every problem of every row in one pass, and writes nothing."""

from tongxin.people.models import Person, Position
from tongxin.transfer.tests.helpers import id_number
from tongxin.transfer.tests.test_import_people import people_file, person_row, run


def test_every_problem_of_every_row_at_once_and_nothing_written(tree, street_a_official):
    before = (Person.objects.count(), Position.objects.count())
    data = people_file(
        [
            person_row("好人", 1),
            # a bad date and an unknown home region and an unknown branch, all in one row
            person_row("甲", 2, region="999999999999999", branch="ORG-9999", 出生日期="1990-13-45"),
            person_row("乙", 3, region="888888888888888", 政治面貌="不知道"),
        ],
        [
            # no title, no start date and an unknown organisation
            [id_number(1), "好人", None, None, "ORG-7777", None, None],
        ],
    )
    report = run(street_a_official, data)
    assert not report.ok and not report.written
    problems = {(issue.sheet, issue.row, issue.column) for issue in report.issues}
    assert {("人员", 3, "出生日期"), ("人员", 3, "居住区划编码"), ("人员", 3, "所在支部编码")} <= problems
    assert {("人员", 4, "居住区划编码"), ("人员", 4, "政治面貌")} <= problems
    assert {("职务", 2, "职务"), ("职务", 2, "开始日期"), ("职务", 2, "组织编码")} <= problems
    # each problem once, the count complete
    assert report.issue_count == len(report.issues) == len(problems)
    assert (Person.objects.count(), Position.objects.count()) == before


def test_check_only_says_so_and_writes_nothing(tree, street_a_official):
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(street_a_official)
    before = Person.objects.count()
    page = client.get(reverse("transfer:import", args=["people"])).content.decode()
    assert 'class="check-only"' in page and 'name="dry_run"' in page
    upload = people_file([person_row("王芳", 1)])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("transfer:import", args=["people"]),
        {"file": SimpleUploadedFile("p.xlsx", upload), "dry_run": "on"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "仅检查，未写入任何数据" in body
    assert Person.objects.count() == before
    response = client.post(
        reverse("transfer:import", args=["people"]), {"file": SimpleUploadedFile("p.xlsx", upload)}
    )
    assert "仅检查" not in response.content.decode().split("<main", 1)[-1].split("transfer-again")[0]
    assert Person.objects.count() == before + 1
