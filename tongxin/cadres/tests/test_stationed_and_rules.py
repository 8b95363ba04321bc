"""The pages that keep 第一书记 and 驻村工作队 postings and the term rules: the township or the county
keeps them, each only in its own part of the tree; a village secretary reads their own village's."""

from datetime import date

import pytest
from django.urls import reverse

from tongxin.audit.models import Action, AuditEvent
from tongxin.cadres.models import Committee, Stationed, StationedKind, Term, TermRule
from tongxin.cadres.services import stationed_create
from tongxin.core.actors import SYSTEM
from tongxin.core.tests.listing import login

pytestmark = pytest.mark.django_db

STATIONED = reverse("cadres:stationed")
NEW = reverse("cadres:stationed_create")


def _posting(world, village=None, **extra):
    return stationed_create(
        actor=SYSTEM,
        person=world.member,
        kind=StationedKind.FIRST_SECRETARY,
        village=village or world.tree.community_a1,
        starts_on=date(2025, 4, 1),
        sending_unit_name="区农业农村局",
        **extra,
    )


def _form(village, **extra):
    return {
        "village": village.pk,
        "name": "周驻村",
        "gender": "F",
        "birth_date": "1988-03-02",
        "kind": StationedKind.FIRST_SECRETARY,
        "sending_unit_name": "区财政局",
        "starts_on": "2025-05-01",
        "ends_on": "2027-04-30",
        **extra,
    }


def test_the_county_records_a_posting_of_someone_not_on_record(world, county):
    client = login(county)
    a1 = world.tree.community_a1
    assert client.get(f"{NEW}?village={a1.pk}").status_code == 200
    response = client.post(NEW, _form(a1))
    assert response.status_code == 302, response.content.decode()[:2000]
    row = Stationed.objects.get()
    assert (row.person.name, row.person.region_id, row.person.employer) == ("周驻村", a1.pk, "区财政局")
    assert (row.village_id, row.ends_on) == (a1.pk, date(2027, 4, 30))
    assert AuditEvent.objects.filter(action=Action.RECORD_CHANGED, target=f"stationed:{row.pk}").exists()
    body = client.get(f"{STATIONED}?node={a1.pk}").content.decode()
    assert "周驻村" in body and "区财政局" in body


def test_a_posting_needs_a_person_and_a_sending_unit(world, county):
    client = login(county)
    response = client.post(NEW, _form(world.tree.community_a1, name="", sending_unit_name=""))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose or enter the sending unit." in body or "派出单位" in body
    assert not Stationed.objects.exists()
    response = client.post(NEW, _form(world.tree.community_a1, ends_on="2025-01-01"))
    assert not Stationed.objects.exists()


def test_the_township_keeps_only_its_own_villages(world, street):
    client = login(street)
    a1, b1 = world.tree.community_a1, world.tree.community_b1
    assert client.post(NEW, _form(b1)).status_code == 200  # b1 is not offered: a form error
    assert not Stationed.objects.exists()
    assert client.post(NEW, _form(a1)).status_code == 302
    other = _posting(world, village=b1)
    assert client.get(reverse("cadres:stationed_edit", args=[other.pk])).status_code == 404
    assert (
        client.post(reverse("cadres:stationed_end", args=[other.pk]), {"ends_on": "2026-01-01"}).status_code
        == 404
    )
    assert "区农业农村局" not in client.get(STATIONED).content.decode()


def test_the_township_edits_and_ends_a_posting_audited(world, street):
    row = _posting(world)
    client = login(street)
    url = reverse("cadres:stationed_edit", args=[row.pk])
    assert client.get(url).status_code == 200
    data = {
        "kind": StationedKind.TEAM_LEADER,
        "sending_unit_name": "区人民医院",
        "starts_on": "2025-04-01",
        "ends_on": "",
        "note": "",
    }
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert (row.kind, row.sending_unit_name, row.person_id) == (
        StationedKind.TEAM_LEADER,
        "区人民医院",
        world.member.pk,
    )
    edits = AuditEvent.objects.filter(action=Action.RECORD_CHANGED, target__contains=f"{row.pk}").order_by(
        "pk"
    )
    assert edits.count() >= 2
    response = client.post(reverse("cadres:stationed_end", args=[row.pk]), {"ends_on": "2026-01-31"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.ends_on == date(2026, 1, 31)
    # ended before today: no longer listed among those serving, listed among all postings
    assert "区人民医院" not in client.get(f"{STATIONED}?node={world.tree.community_a1.pk}").content.decode()
    assert (
        "区人民医院" in client.get(f"{STATIONED}?node={world.tree.community_a1.pk}&ended=on").content.decode()
    )
    # an end before the start is refused and changes nothing
    client.post(reverse("cadres:stationed_end", args=[row.pk]), {"ends_on": "2020-01-01"})
    row.refresh_from_db()
    assert row.ends_on == date(2026, 1, 31)


def test_the_village_secretary_reads_their_own_village_only(world, village_secretary, other_secretary):
    row = _posting(world)
    other = _posting(world, village=world.tree.community_b1, sending_unit=None)
    client = login(village_secretary)
    body = client.get(STATIONED).content.decode()
    assert world.member.name in body and reverse("cadres:stationed_edit", args=[row.pk]) not in body
    assert reverse("cadres:stationed_create") not in body
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _form(world.tree.community_a1)).status_code == 403
    assert client.get(reverse("cadres:stationed_edit", args=[row.pk])).status_code == 403
    assert (
        client.post(reverse("cadres:stationed_end", args=[row.pk]), {"ends_on": "2026-01-01"}).status_code
        == 403
    )
    assert client.get(reverse("cadres:stationed_edit", args=[other.pk])).status_code == 404
    assert Stationed.objects.filter(ends_on__isnull=False).count() == 0
    # the other village's secretary does not see a1's posting
    body = login(other_secretary).get(f"{STATIONED}?node={world.tree.community_a1.pk}").content.decode()
    assert reverse("cadres:stationed_edit", args=[row.pk]) not in body


# ---- term rules -----------------------------------------------------------------------------------


def test_the_county_sets_a_new_version_of_the_term_rule(world, county):
    client = login(county)
    node = world.tree.county
    body = client.get(f"{reverse('cadres:rules')}?node={node.pk}").content.decode()
    assert reverse("cadres:rule_create", args=[node.pk]) in body
    url = reverse("cadres:rule_create", args=[node.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"years": "5", "warn_days": "120", "valid_from": "2026-01-01"}).status_code == 302
    assert (
        client.post(url, {"years": "11", "warn_days": "120", "valid_from": "2026-01-01"}).status_code == 200
    )
    rule = TermRule.objects.get()
    assert (rule.region_id, rule.years, rule.warn_days, rule.created_by_id) == (node.pk, 5, 120, county.pk)
    assert AuditEvent.objects.filter(target=f"termrule:{rule.pk}").exists()
    body = client.get(f"{reverse('cadres:rules')}?node={world.tree.community_a1.pk}").content.decode()
    assert "120" in body


def test_term_rules_are_kept_by_a_county_or_township_in_scope(world, street, village_secretary):
    client = login(street)
    assert client.get(reverse("cadres:rule_create", args=[world.tree.county.pk])).status_code == 404
    assert client.get(reverse("cadres:rule_create", args=[world.tree.street_b.pk])).status_code == 404
    assert client.get(reverse("cadres:rule_create", args=[world.tree.street_a.pk])).status_code == 200
    client = login(village_secretary)
    a1 = world.tree.community_a1
    assert client.get(f"{reverse('cadres:rules')}?node={a1.pk}").status_code == 200
    assert client.get(reverse("cadres:rule_create", args=[a1.pk])).status_code == 403
    assert (
        client.post(
            reverse("cadres:rule_create", args=[a1.pk]),
            {"years": "3", "warn_days": "30", "valid_from": "2026-01-01"},
        ).status_code
        == 403
    )
    assert not TermRule.objects.exists()


# ---- recording the current term --------------------------------------------------------------------


def test_record_the_current_term_only_while_a_committee_has_none(world, village_secretary):
    client = login(village_secretary)
    a1 = world.tree.community_a1
    terms = f"{reverse('cadres:terms')}?node={a1.pk}"
    open_url = reverse("cadres:term_open", args=[a1.pk])
    # a1 has its Party committee's term; the residents' committee has none yet
    assert open_url in client.get(terms).content.decode()
    form = client.get(open_url).content.decode()
    assert f'value="{Committee.RESIDENTS}"' in form and f'value="{Committee.PARTY}"' not in form
    assert client.post(open_url, {"committee": Committee.PARTY, "starts_on": "2021-04-01"}).status_code == 200
    assert (
        client.post(open_url, {"committee": Committee.RESIDENTS, "starts_on": "2021-04-01"}).status_code
        == 302
    )
    assert Term.objects.filter(region=a1, ended_on__isnull=True).count() == 2
    assert open_url not in client.get(terms).content.decode()
    assert client.get(open_url).status_code == 302
