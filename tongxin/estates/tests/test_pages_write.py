"""The estates' writing pages: an estate made and edited, 业委会 terms and members, 自治金 funds, projects
and entries (a spending beyond the balance refused on the form), a joint meeting linked, a project put
on the map. Another community's staff gets a 404 on each."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.cases.tests.pages import login
from tongxin.core.actors import SYSTEM
from tongxin.estates.models import CommitteeRole, Estate, GroupFund, JointMeeting, ProjectLocation
from tongxin.estates.selectors import badges, estates_list
from tongxin.estates.services import committee_create, fund_create
from tongxin.lists.models import ProjectKind
from tongxin.lists.services import project_create
from tongxin.meetings.services import meeting_schedule
from tongxin.testing import make_member, make_person

pytestmark = pytest.mark.django_db


def _estate(world, user):
    rows = list(estates_list(user).filter(pk=world.estate.pk))
    badges(rows)
    return rows[0]


def test_secretary_creates_and_edits_an_estate(world):
    cast = world.cast
    client = login(cast.secretary)
    url = reverse("estates:new")
    assert client.get(url).status_code == 200
    b1, b2 = world.buildings
    response = client.post(
        url,
        {
            "name": "新苑",
            "address": "滚绣坊1号",
            "buildings": [b1.pk, b2.pk],
            "property_firm": world.firm.pk,
            "firm_branch": world.firm.party_organisation_id,
            "red_since": "2026-01-01",
        },
    )
    estate = Estate.objects.get(name="新苑")
    assert response.status_code == 302
    assert estate.community == cast.tree.community_a1
    assert set(estate.buildings.all()) == {b1, b2}
    assert estate.is_red_property()
    response = client.post(
        reverse("estates:edit", args=[estate.pk]),
        {"name": "新苑小区", "buildings": [b1.pk], "property_firm": world.firm.pk},
    )
    # a branch without a date: the service's error is on the form
    response = client.post(
        reverse("estates:edit", args=[estate.pk]),
        {
            "name": "新苑小区",
            "buildings": [b1.pk],
            "property_firm": world.firm.pk,
            "firm_branch": world.firm.party_organisation_id,
        },
    )
    assert response.status_code == 200
    assert "needs both" in response.content.decode()
    response = client.post(
        reverse("estates:edit", args=[estate.pk]), {"name": "新苑小区", "buildings": [b1.pk]}
    )
    assert response.status_code == 302
    estate.refresh_from_db()
    assert estate.name == "新苑小区" and estate.property_firm is None
    assert list(estate.buildings.all()) == [b1]


def test_a_building_of_another_community_is_not_offered(world):
    client = login(world.cast.secretary)
    other_building = world.other_estate.buildings.get()
    response = client.post(reverse("estates:new"), {"name": "越界", "buildings": [other_building.pk]})
    assert response.status_code == 200
    assert not Estate.objects.filter(name="越界").exists()


def test_street_official_chooses_the_community_first(world):
    client = login(world.cast.street)
    response = client.get(reverse("estates:new"))
    assert response.status_code == 200 and 'name="community"' in response.content.decode()
    other = world.cast.tree.community_b1
    assert client.get(reverse("estates:new") + f"?community={other.pk}").status_code == 404
    ok = client.get(reverse("estates:new") + f"?community={world.cast.tree.community_a2.pk}")
    assert ok.status_code == 200 and 'name="buildings"' in ok.content.decode()


def test_committee_term_members_and_end(world):
    cast = world.cast
    tree = cast.tree
    client = login(cast.secretary)
    estate = world.estate
    committee = estate.committees.get()
    # end the current term today, then record the next one with a Party-member director
    today = timezone.localdate()
    assert (
        client.post(reverse("estates:term_end", args=[committee.pk]), {"on": today.isoformat()}).status_code
        == 302
    )
    committee.refresh_from_db()
    assert committee.term_ends_on == today
    director = make_member(tree.grids["1.1"], tree.orgs["grid_branch"], name="赵主任")
    response = client.post(
        reverse("estates:term_new", args=[estate.pk]),
        {
            "term_starts_on": (today + timedelta(days=1)).isoformat(),
            "term_ends_on": (today + timedelta(days=365 * 5)).isoformat(),
            "person": director.pk,
            "role": CommitteeRole.DIRECTOR,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = estate.committees.order_by("-term_starts_on").first()
    assert new.members.get().person == director
    # an overlapping term is refused on the form
    response = client.post(
        reverse("estates:term_new", args=[estate.pk]),
        {
            "term_starts_on": today.isoformat(),
            "term_ends_on": today.isoformat(),
            "person": director.pk,
            "role": "member",
        },
    )
    assert response.status_code == 200 and "overlaps" in response.content.decode()
    # add and end a member of the term in force
    someone = make_person(tree.grids["1.1"], name="钱委员")
    assert (
        client.post(
            reverse("estates:member_add", args=[committee.pk]), {"person": someone.pk, "role": "member"}
        ).status_code
        == 302
    )
    seat = committee.members.get(person=someone)
    client.post(reverse("estates:member_end", args=[committee.pk, seat.pk]), {"on": today.isoformat()})
    seat.refresh_from_db()
    assert seat.ended_on == today
    # a second director while one is in office is refused
    client.post(
        reverse("estates:member_add", args=[committee.pk]),
        {"person": make_person(tree.grids["1.1"], name="孙").pk, "role": "director"},
    )
    assert committee.members.filter(role="director").count() == 1


def test_red_committee_counts_only_members_in_office(world):
    tree = world.cast.tree
    estate = world.other_estate
    today = timezone.localdate()
    director = make_member(tree.grids["1.1"], tree.orgs["grid_branch"], name="周主任")
    committee = committee_create(
        actor=SYSTEM,
        estate=estate,
        term_starts_on=today - timedelta(days=10),
        term_ends_on=today + timedelta(days=1000),
        members=[(director, CommitteeRole.DIRECTOR), (make_person(tree.grids["1.1"], name="吴"), "member")],
    )
    client = login(world.cast.neighbour)
    assert "红色业委会" in client.get(estate.get_absolute_url()).content.decode()
    seat = committee.members.get(person=director)
    client.post(reverse("estates:member_end", args=[committee.pk, seat.pk]), {"on": today.isoformat()})
    assert "红色业委会" not in client.get(estate.get_absolute_url()).content.decode()


def test_fund_pages_and_balance_error_on_the_form(world):
    client = login(world.cast.secretary)
    response = client.post(
        reverse("estates:fund_new"),
        {"name": "1幢楼组", "keeper_name": "王阿姨", "buildings": [world.buildings[0].pk]},
    )
    fund = GroupFund.objects.get(name="1幢楼组")
    assert response.status_code == 302
    client.post(reverse("estates:fund_project_add", args=[fund.pk]), {"title": "楼道美化", "budget": "500"})
    project = fund.projects.get()
    today = timezone.localdate().isoformat()
    url = reverse("estates:fund", args=[fund.pk])
    client.post(url, {"kind": "grant", "amount": "300", "on": today, "purpose": "年度拨付"})
    response = client.post(
        url,
        {
            "kind": "spending",
            "amount": "400",
            "on": today,
            "purpose": "油漆",
            "project": project.pk,
            "receipt_number": "R-1",
        },
    )
    assert response.status_code == 400
    assert "would leave it negative" in response.content.decode()
    fund.refresh_from_db()
    assert fund.balance == Decimal("300.00")


def test_joint_meeting_linked_from_the_estate(world):
    client = login(world.cast.secretary)
    meeting = meeting_schedule(
        actor=SYSTEM,
        title="三驾马车联席会",
        scheduled_at=timezone.now() - timedelta(days=2),
        region=world.cast.tree.community_a1,
    )
    page = client.get(world.estate.get_absolute_url()).content.decode()
    assert "三驾马车联席会" in page
    response = client.post(reverse("estates:meeting_link", args=[world.estate.pk]), {"meeting": meeting.pk})
    assert response.status_code == 302
    assert JointMeeting.objects.get(meeting=meeting).estate == world.estate


def test_project_located(world):
    client = login(world.cast.secretary)
    project = project_create(
        actor=SYSTEM,
        title="2幢加装电梯",
        kind=ProjectKind.COBUILDING,
        lead_name="王",
        region=world.cast.tree.community_a1,
    )
    url = reverse("estates:locate", args=[project.pk])
    assert client.get(url).status_code == 200
    assert "2幢加装电梯" in client.get(reverse("estates:map")).content.decode()
    assert client.post(url, {"lat": "95", "lng": "120"}).status_code == 200
    assert client.post(url, {"lat": "31.31", "lng": "120.605", "label": "2幢"}).status_code == 302
    assert ProjectLocation.objects.get(project=project).label == "2幢"


def test_another_communitys_staff_get_404(world):
    cast = world.cast
    fund = fund_create(actor=SYSTEM, community=cast.tree.community_a1, name="楼组")
    committee = world.estate.committees.get()
    seat = committee.members.first()
    project = project_create(
        actor=SYSTEM, title="电梯", kind=ProjectKind.COBUILDING, lead_name="王", region=cast.tree.community_a1
    )
    meeting = meeting_schedule(
        actor=SYSTEM, title="会", scheduled_at=timezone.now(), region=cast.tree.community_a1
    )
    for user in (cast.other, cast.neighbour):
        client = login(user)
        gets = [
            reverse("estates:edit", args=[world.estate.pk]),
            reverse("estates:term_new", args=[world.estate.pk]),
            reverse("estates:locate", args=[project.pk]),
            reverse("estates:new") + f"?community={cast.tree.community_a1.pk}",
            reverse("estates:fund_new") + f"?community={cast.tree.community_a1.pk}",
        ]
        for url in gets:
            assert client.get(url).status_code == 404, url
        posts = [
            (
                reverse("estates:member_add", args=[committee.pk]),
                {"person": seat.person_id, "role": "member"},
            ),
            (reverse("estates:member_end", args=[committee.pk, seat.pk]), {"on": date.today().isoformat()}),
            (reverse("estates:term_end", args=[committee.pk]), {"on": date.today().isoformat()}),
            (reverse("estates:meeting_link", args=[world.estate.pk]), {"meeting": meeting.pk}),
            (reverse("estates:fund_project_add", args=[fund.pk]), {"title": "x", "budget": "1"}),
            (
                reverse("estates:fund", args=[fund.pk]),
                {"kind": "grant", "amount": "1", "on": date.today().isoformat(), "purpose": "x"},
            ),
        ]
        for url, data in posts:
            assert client.post(url, data).status_code == 404, url
    # viewers without estates.manage (a grid worker) are not offered the pages either
    worker = login(cast.worker)
    assert worker.get(reverse("estates:edit", args=[world.estate.pk])).status_code == 404
    assert not JointMeeting.objects.exists()
    seat.refresh_from_db()
    assert seat.ended_on is None
