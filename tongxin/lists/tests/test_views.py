"""Pages of the three lists: publish, claim over htmx, cases to needs, projects to results; and the
failures — anonymous, wrong role, outside the area, wrong method, bad input."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongxin.cases.models import CaseStatus
from tongxin.cases.services import case_transition
from tongxin.cases.testing import report_case
from tongxin.core.roles import Role
from tongxin.core.tests.images import jpeg_with_gps
from tongxin.lists.models import MilestoneStatus, Need, NeedStatus, Project, ProjectStatus, ResourceKind
from tongxin.lists.services import need_claim, project_create, resource_create
from tongxin.partners.models import UnitKind
from tongxin.partners.services import unit_create
from tongxin.partners.testing import build_cobuilding, publish_need
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


def login(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_publish_a_need(cast, tree):
    client = login(cast.secretary)
    assert client.get(reverse("lists:need_create")).status_code == 200
    response = client.post(
        reverse("lists:need_create"),
        {
            "title": "楼道照明",
            "category": "facilities",
            "region": tree.grids["1.1"].pk,
            "source": "monthly_round",
            "round_month": "2026-03",
            "beneficiaries_estimate": "40",
            "description": "三号楼楼道灯全坏了",
        },
    )
    need = Need.objects.get(title="楼道照明")
    assert response.status_code == 302 and response.url == need.get_absolute_url()
    assert need.round_month == date(2026, 3, 1) and need.created_by == cast.secretary
    # bad input: errors on the page, nothing saved
    response = client.post(
        reverse("lists:need_create"), {"title": "", "category": "weather", "region": tree.community_b1.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert set(response.context["form"].errors) >= {"title", "category", "region", "description"}
    assert Need.objects.count() == 1


def test_need_pages_refuse_the_wrong_people(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary)
    url = reverse("lists:need", args=[need.pk])
    assert Client().get(url).status_code == 302  # anonymous: to the log-in page
    assert login(make_user(Role.GRID_WORKER, tree.community_a1)).get(url).status_code == 403
    assert login(cast.stranger).get(url).status_code == 404
    assert login(cast.neighbour).get(url).status_code == 404
    assert (
        login(cast.liaison_a).post(reverse("lists:need_create"), {}).status_code == 403
    )  # a liaison does not publish
    assert login(cast.county).get(reverse("lists:need_create")).status_code == 403  # sees, does not keep
    assert login(cast.secretary).get(reverse("lists:need_claim", args=[need.pk])).status_code == 405
    assert login(cast.neighbour).get(reverse("lists:need_edit", args=[need.pk])).status_code == 404


def test_claim_over_htmx_and_the_refusal_when_claimed_already(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary)
    page = login(cast.liaison_a).get(reverse("lists:needs"))
    assert f'hx-post="{reverse("lists:need_claim", args=[need.pk])}"' in page.content.decode()
    response = login(cast.liaison_a).post(
        reverse("lists:need_claim", args=[need.pk]), {"unit": cast.unit_a.pk}, **HTMX
    )
    assert response.status_code == 200
    assert "Claimed." in response.content.decode() and "姑苏区水务局" in response.content.decode()
    need.refresh_from_db()
    assert need.claimed_by_unit == cast.unit_a
    # a second unit, on a page loaded before: refused, with who claimed it
    other = unit_create(
        name="姑苏区民政局", kind=UnitKind.COUNTY_DEPARTMENT, region=tree.street_a, actor=cast.street
    )
    response = login(cast.street).post(
        reverse("lists:need_claim", args=[need.pk]), {"unit": other.pk}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in body
    assert "already claimed by 姑苏区水务局" in body
    need.refresh_from_db()
    assert need.claimed_by_unit == cast.unit_a
    # without htmx: back to the need with the message
    response = login(cast.street).post(
        reverse("lists:need_claim", args=[need.pk]), {"unit": other.pk}, follow=True
    )
    assert "already claimed" in response.content.decode()
    # a liaison cannot claim for another unit (the choice is not offered)
    fresh = publish_need(tree.community_a1, cast.secretary, title="第二件")
    response = login(cast.liaison_a).post(
        reverse("lists:need_claim", args=[fresh.pk]), {"unit": cast.unit_b.pk}, **HTMX
    )
    assert "Choose the unit" in response.content.decode()
    assert Need.objects.get(pk=fresh.pk).status == NeedStatus.OPEN


def test_cases_the_community_could_not_solve_become_needs(cast, tree):
    case = report_case(tree)
    for action, params in [
        ("accept", {}),
        ("dispatch", {"to_user": cast.secretary}),
        ("respond", {}),
        ("close_unsolved", {"reason": "社区无力解决，需要共建单位支持"}),
    ]:
        case = case_transition(case=case, action=action, actor=cast.secretary, **params)
    assert case.status == CaseStatus.CLOSED_UNSOLVED
    client = login(cast.secretary)
    page = client.get(reverse("lists:cases"))
    assert [c.pk for c in page.context["page"]] == [case.pk]
    assert login(cast.neighbour).get(reverse("lists:cases")).context["page"].paginator.count == 0
    assert login(cast.neighbour).post(reverse("lists:need_from_case", args=[case.pk])).status_code == 404
    response = client.post(reverse("lists:need_from_case", args=[case.pk]), {"category": "environment"})
    need = Need.objects.get(case=case)
    assert response.status_code == 302 and response.url == need.get_absolute_url()
    assert need.source == "case" and need.category == "environment" and need.region == tree.grids["1.1"]
    assert case.tracking_code in need.description
    assert client.post(reverse("lists:need_from_case", args=[case.pk])).status_code == 404  # once only
    problems = client.get(reverse("lists:problems"))
    assert [n.pk for n in problems.context["page"]] == [need.pk]


def test_project_from_claim_to_results(cast, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    need = publish_need(tree.community_a1, cast.secretary)
    need_claim(need=need, unit=cast.unit_a, actor=cast.liaison_a)
    liaison = login(cast.liaison_a)
    response = liaison.post(
        reverse("lists:project_create") + f"?need={need.pk}",
        {
            "title": "路灯改造",
            "kind": "practical",
            "lead_name": "张工",
            "budget": "5000",
            "starts_on": "2026-03-01",
            "milestones": "采购 ×1\n安装 ×3",
        },
    )
    project = Project.objects.get(need=need)
    assert response.status_code == 302 and response.url == project.get_absolute_url()
    assert [(m.title, m.weight) for m in project.milestones.order_by("id")] == [("采购", 1), ("安装", 3)]
    first, second = project.milestones.order_by("id")
    assert login(cast.liaison_b).get(project.get_absolute_url()).status_code == 404
    liaison.post(reverse("lists:milestone_report", args=[second.pk]), {"progress": "100"})
    assert liaison.post(reverse("lists:milestone_accept", args=[second.pk])).status_code == 403
    liaison.post(
        reverse("lists:evidence_add", args=[project.pk]),
        {"note": "完工照片", "file": SimpleUploadedFile("p.jpg", jpeg_with_gps())},
    )
    evidence = project.evidence.get()
    assert login(cast.secretary).get(reverse("lists:evidence_file", args=[evidence.pk])).status_code == 200
    assert login(cast.stranger).get(reverse("lists:evidence_file", args=[evidence.pk])).status_code == 404
    secretary = login(cast.secretary)
    secretary.post(reverse("lists:milestone_accept", args=[second.pk]))
    response = secretary.post(
        reverse("lists:project_close", args=[project.pk]),
        {"result": "装好了", "beneficiaries_count": "200"},
        follow=True,
    )
    assert "milestones are open: 采购" in response.content.decode()
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.ACTIVE
    secretary.post(reverse("lists:milestone_accept", args=[first.pk]))
    assert first.__class__.objects.get(pk=first.pk).status == MilestoneStatus.ACCEPTED
    secretary.post(
        reverse("lists:project_close", args=[project.pk]),
        {"result": "装好了20盏", "beneficiaries_count": "200"},
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.CLOSED
    results = secretary.get(reverse("lists:results"))
    assert [n.pk for n in results.context["page"]] == [need.pk]
    assert results.context["totals"]["beneficiaries"] == 200
    assert "装好了20盏" in results.content.decode()


def test_resources_kept_by_the_liaison(cast, tree):
    liaison = login(cast.liaison_a)
    form = liaison.get(reverse("lists:resource_create")).context["form"]
    assert list(form.fields["unit"].queryset) == [cast.unit_a]
    response = liaison.post(
        reverse("lists:resource_create"),
        {"unit": cast.unit_b.pk, "kind": "money", "title": "别人的钱"},
    )
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    liaison.post(
        reverse("lists:resource_create"),
        {"unit": cast.unit_a.pk, "kind": "venue", "title": "会议室", "available": "on"},
    )
    resource = cast.unit_a.resources.get()
    assert liaison.get(reverse("lists:resource_edit", args=[resource.pk])).status_code == 200
    other = resource_create(unit=cast.unit_b, actor=cast.liaison_b, kind=ResourceKind.PEOPLE, title="志愿者")
    assert liaison.get(reverse("lists:resource_edit", args=[other.pk])).status_code == 404
    assert login(cast.idle_liaison).get(reverse("lists:resource_create")).status_code == 403


def test_standalone_project_needs_a_keeper(cast, tree):
    assert login(cast.liaison_a).get(reverse("lists:project_create")).status_code == 403
    response = login(cast.street).post(
        reverse("lists:project_create"),
        {
            "title": "街道亮化",
            "kind": "cobuilding",
            "lead_name": "街道",
            "budget": "0",
            "starts_on": "2026-01-01",
            "region": tree.street_a.pk,
            "weight": "1",
        },
    )
    assert response.status_code == 302
    parent = Project.objects.get(title="街道亮化")
    assert parent.need is None and parent.region == tree.street_a


def test_pages_render_for_every_role(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary)
    need_claim(need=need, unit=cast.unit_a, actor=cast.liaison_a)
    project = project_create(
        actor=cast.liaison_a,
        need=need,
        title="p",
        kind="practical",
        lead_name="甲",
        milestones=[("a", 1, None)],
    )
    names = [
        "lists:needs",
        "lists:resources",
        "lists:projects",
        "lists:problems",
        "lists:results",
        "lists:ledger",
    ]
    for user in [cast.secretary, cast.street, cast.liaison_a, cast.county]:
        client = login(user)
        for name in names:
            assert client.get(reverse(name)).status_code == 200, (user, name)
        assert client.get(need.get_absolute_url()).status_code == 200
        assert client.get(project.get_absolute_url()).status_code == 200
