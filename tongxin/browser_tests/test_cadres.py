"""The cadre roster in Chromium: the county's organisation department opens the roster, follows a
composition figure to the people it counts, records the election of the village whose term ends
soon and lets the new committee take office; a village secretary sees only their own village (the
roster of another village is not found)."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tongxin.cadres.models import Committee, Election, Term
from tongxin.cadres.services import add_years, profile_save, term_open
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.people.models import Position, PositionKind
from tongxin.people.services import position_create
from tongxin.testing import PASSWORD, build_tree, make_person, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _login(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def _village(tree):
    """a1's Party committee (a woman secretary, a man member), a grid leader, and b1's director;
    a1's term began five years ago less 40 days: it ends within the 90 days' warning."""
    a1, b1 = tree.community_a1, tree.community_b1
    org = tree.orgs["community"]
    start = add_years(timezone.localdate() + timedelta(days=40), -5)
    secretary = make_person(a1, gender="F", birth_date=date(1988, 5, 1), name="王秀英")
    member = make_person(a1, gender="M", birth_date=date(1972, 1, 1), name="李建国")
    newcomer = make_person(a1, gender="F", birth_date=date(1992, 3, 3), name="陈晓燕")
    other = make_person(b1, gender="F", birth_date=date(1980, 1, 1), name="赵桂兰")
    position_create(person=secretary, kind=PositionKind.SECRETARY, starts_on=start, organisation=org)
    position_create(person=member, kind=PositionKind.COMMITTEE_MEMBER, starts_on=start, organisation=org)
    position_create(person=newcomer, kind=PositionKind.GRID_LEADER, starts_on=start, region=tree.grids["1.1"])
    position_create(person=other, kind=PositionKind.RESIDENTS_DIRECTOR, starts_on=start, region=b1)
    profile_save(actor=SYSTEM, person=secretary, education="bachelor")
    profile_save(actor=SYSTEM, person=member, education="senior")
    term = term_open(actor=SYSTEM, region=a1, committee=Committee.PARTY, starts_on=start, number=11)
    term_open(actor=SYSTEM, region=b1, committee=Committee.RESIDENTS, starts_on=start)
    return term, secretary, member, newcomer


def test_the_county_records_the_election_and_a_village_sees_only_its_own(browser_context):
    tree = build_tree()
    make_user(Role.COUNTY_ORG, tree.county, username="zuzhibu")
    make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="cunshuji")
    term, secretary, member, newcomer = _village(tree)
    page = browser_context.new_page()
    _login(page, "zuzhibu")

    # the roster of the county: the composition, each figure with its definition; the women's figure
    # lists the women it counts
    page.goto("/cadres/")
    composition = page.locator("#composition")
    expect(composition).to_contain_text("人数")
    page.locator("#composition a[href*='measure=women']").click()
    expect(page.locator("#posts")).to_contain_text(secretary.name)
    expect(page.locator("#posts")).to_contain_text(newcomer.name)
    expect(page.locator("#posts")).not_to_contain_text(member.name)

    # the term ending soon, its election recorded: the member stands down, the grid leader elected
    page.locator("#term-warnings a").first.click()
    page.wait_for_url(re.compile(r".*/cadres/terms/\d+/"))
    expect(page.locator("main")).to_contain_text("换届")
    page.locator(f"a[href$='/terms/{term.pk}/election/']").click()
    held = timezone.localdate() - timedelta(days=2)
    page.fill("#id_held_on", held.isoformat())
    page.fill("#id_eligible_voters", "820")
    page.fill("#id_ballots_cast", "790")
    for i, (person, kind, votes, elected) in enumerate(
        [
            (secretary, PositionKind.SECRETARY, "760", True),
            (member, PositionKind.COMMITTEE_MEMBER, "300", False),
            (newcomer, PositionKind.COMMITTEE_MEMBER, "700", True),
        ]
    ):
        page.select_option(f"#id_person_{i}", label=person.name)
        page.select_option(f"#id_kind_{i}", kind)
        page.fill(f"#id_votes_{i}", votes)
        if elected:
            page.check(f"#id_elected_{i}")
    page.locator("main form button.primary").click()
    page.wait_for_url(re.compile(r".*/cadres/elections/\d+/"))
    election = Election.objects.get(term=term)
    page.locator("form[action$='/take-office/'] button").click()
    expect(page.locator(".msg-success")).to_be_visible()
    election.refresh_from_db()
    assert election.new_term_id is not None
    assert Term.objects.get(pk=term.pk).ended_on == held - timedelta(days=1)
    held_now = Position.objects.filter(region=tree.community_a1, ends_on__isnull=True)
    assert not held_now.filter(person=member).exists()
    assert Position.objects.filter(
        person=newcomer, kind=PositionKind.COMMITTEE_MEMBER, ends_on__isnull=True
    ).exists()

    # a village secretary: their own village's roster, and another village's is not found
    browser_context.clear_cookies()
    _login(page, "cunshuji")
    page.goto("/cadres/")
    expect(page.locator("h1")).to_contain_text(tree.community_a1.name)
    expect(page.locator("main")).to_contain_text(secretary.name)
    expect(page.locator("main")).not_to_contain_text("赵桂兰")
    assert page.request.get(f"/cadres/?node={tree.community_b1.pk}").status == 404
    assert page.request.get(f"/cadres/terms/?node={tree.community_b1.pk}").status == 404
    other_term = Term.objects.get(region=tree.community_b1)
    assert page.request.get(f"/cadres/terms/{other_term.pk}/").status == 404
    # their own postings and rules read only: no way to record a posting
    page.goto("/cadres/stationed/")
    expect(page.locator("a[href$='/cadres/stationed/new/']")).to_have_count(0)
