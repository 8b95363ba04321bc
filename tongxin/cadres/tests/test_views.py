from datetime import date

import pytest
from django.urls import reverse

from tongxin.cadres.models import Committee, Election, Term
from tongxin.cadres.services import CandidateRow, election_record
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.people.models import Position, PositionKind
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db

ROSTER = reverse("cadres:roster")


def _election(world, region=None, committee=Committee.PARTY):
    return election_record(
        actor=SYSTEM,
        region=region or world.tree.community_a1,
        committee=committee,
        held_on=date(2026, 3, 1),
        candidates=[CandidateRow(person=world.member, kind=PositionKind.SECRETARY, votes=10, elected=True)],
    )


def test_the_village_secretary_sees_their_own_village_only(world, village_secretary):
    client = login(village_secretary)
    body = client.get(ROSTER).content.decode()
    assert "王书记" in body and "钱网格长" in body and "赵主任" not in body
    b1 = world.tree.community_b1
    for url in (
        f"{ROSTER}?node={b1.pk}",
        f"{reverse('cadres:changes')}?node={b1.pk}",
        f"{reverse('cadres:terms')}?node={b1.pk}",
    ):
        response = client.get(url)
        # a node outside the scope is not found, as any other page of it
        assert response.status_code == 404, url
        assert "赵主任" not in response.content.decode(), url
    other_term = Term.objects.get(region=b1)
    assert client.get(reverse("cadres:term", args=[other_term.pk])).status_code == 404
    assert client.get(reverse("cadres:election_create", args=[other_term.pk])).status_code == 404
    assert client.get(reverse("cadres:profile", args=[world.director_b1.pk])).status_code == 404
    assert client.get(reverse("cadres:term_open", args=[b1.pk])).status_code == 404
    # and the API
    assert client.get(f"/api/v1/cadres/composition?node={b1.pk}").status_code == 404
    assert client.get(f"/api/v1/cadres/roster?node={b1.pk}").status_code == 404
    assert client.get(f"/api/v1/cadres/terms?node={b1.pk}").status_code == 404
    names = {row["name"] for row in client.get("/api/v1/cadres/roster").json()["items"]}
    assert names == {"王书记", "李委员", "钱网格长"}
    terms = client.get("/api/v1/cadres/terms").json()["items"]
    assert [t["region_id"] for t in terms] == [world.tree.community_a1.pk]


def test_another_village_never_sees_the_election_or_profiles(world, other_secretary):
    election = _election(world)
    client = login(other_secretary)
    assert client.get(reverse("cadres:election", args=[election.pk])).status_code == 404
    assert (
        client.post(
            reverse("cadres:take_office", args=[election.pk]), {"starts_on": "2026-03-02"}
        ).status_code
        == 404
    )
    assert client.get(reverse("cadres:profile", args=[world.secretary.pk])).status_code == 404
    assert (
        client.post(reverse("cadres:profile", args=[world.secretary.pk]), {"education": "junior"}).status_code
        == 404
    )
    assert client.get(reverse("cadres:term", args=[world.term.pk])).status_code == 404


def test_the_street_sees_its_communities_and_not_the_other_street(world, street):
    client = login(street)
    body = client.get(ROSTER).content.decode()
    # above a community the page lists its units; a figure's link lists the people behind it
    assert "滚绣坊社区" in body and "锦帆路社区" in body and "平江路社区" not in body
    body = client.get(ROSTER, {"measure": "women", "on": "2026-06-01"}).content.decode()
    assert "王书记" in body and "赵主任" not in body
    assert client.get(f"/api/v1/cadres/composition?node={world.tree.street_b.pk}").status_code == 404
    data = client.get(f"/api/v1/cadres/composition?node={world.tree.street_a.pk}").json()
    assert data["people"] == 3


def test_the_county_sees_everything_and_the_composition_links_its_rows(world, county):
    client = login(county)
    response = client.get(ROSTER, {"node": world.tree.county.pk, "on": "2026-06-01"})
    body = response.content.decode()
    assert "滚绣坊社区" in body and "平江路社区" in body
    assert "measure=college" in body
    only = client.get(ROSTER, {"node": world.tree.county.pk, "on": "2026-06-01", "measure": "college"})
    body = only.content.decode()
    assert "王书记" in body and "赵主任" in body and "李委员" not in body and "钱网格长" not in body
    data = client.get(f"/api/v1/cadres/composition?node={world.tree.county.pk}&on=2026-06-01").json()
    college = next(m for m in data["measures"] if m["key"] == "college")
    assert (college["numerator"], college["denominator"]) == (2, 4)
    assert sorted(college["person_ids"]) == sorted([world.secretary.pk, world.director_b1.pk])


def test_recording_an_election_and_taking_office_through_the_pages(world, village_secretary):
    client = login(village_secretary)
    url = reverse("cadres:election_create", args=[world.term.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "held_on": "2026-03-20",
            "eligible_voters": "1000",
            "ballots_cast": "900",
            "person_0": world.secretary.pk,
            "kind_0": PositionKind.SECRETARY,
            "votes_0": "850",
            "elected_0": "on",
            "person_1": world.grid_leader.pk,
            "kind_1": PositionKind.COMMITTEE_MEMBER,
            "votes_1": "700",
            "elected_1": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    election = Election.objects.get()
    assert client.get(reverse("cadres:election", args=[election.pk])).status_code == 200
    response = client.post(reverse("cadres:take_office", args=[election.pk]), {"starts_on": "2026-03-21"})
    assert response.status_code == 302
    assert Position.objects.get(person=world.member).ends_on == date(2026, 3, 20)
    assert Position.objects.filter(person=world.grid_leader, kind=PositionKind.COMMITTEE_MEMBER).exists()


def test_a_bad_election_says_why(world, village_secretary):
    client = login(village_secretary)
    response = client.post(
        reverse("cadres:election_create", args=[world.term.pk]),
        {"held_on": "2026-03-20", "person_0": world.secretary.pk, "votes_0": "1"},
    )
    assert response.status_code == 400
    assert not Election.objects.exists()


def test_a_staff_member_reads_but_does_not_change(world):
    staff = make_user(Role.COMMUNITY_STAFF, world.tree.community_a1)
    client = login(staff)
    assert client.get(ROSTER).status_code == 200
    assert client.get(reverse("cadres:election_create", args=[world.term.pk])).status_code == 403
    assert (
        client.post(reverse("cadres:profile", args=[world.secretary.pk]), {"education": "junior"}).status_code
        == 403
    )


def test_the_profile_is_saved_and_audited(world, village_secretary):
    client = login(village_secretary)
    url = reverse("cadres:profile", args=[world.member.pk])
    response = client.post(
        url,
        {
            "education": "college",
            "upgrade_level": "bachelor",
            "upgrade_school": "黔源开放大学",
            "political_status": "masses",
            "wealth_leader": "on",
        },
    )
    assert response.status_code == 302
    profile = world.member.cadre_profile
    profile.refresh_from_db()
    assert (profile.education, profile.upgrade_level, profile.wealth_leader) == ("college", "bachelor", True)
    response = client.post(
        url, {"education": "college", "upgrade_level": "bachelor", "political_status": "masses"}
    )
    assert response.status_code == 200 and "school" in response.content.decode().lower()


def test_anonymous_is_sent_to_log_in(world, client):
    assert client.get(ROSTER).status_code == 302
    assert client.get("/api/v1/cadres/roster").status_code in (401, 403)
