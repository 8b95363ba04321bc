"""The rule sets as versioned configuration: a new version from a day changes a draft run when it is
computed again, never an approved one; bad values are refused on their field; a street official sets
their street's rules (another street's official gets a 404), the county sets rules for all; a
community's staff read them and change nothing."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tongxin.audit.models import AuditEvent
from tongxin.cases.tests.pages import login
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.estates.defaults import ESTATE_RULES, SUBSIDY_RULES
from tongxin.estates.models import EstateRules, RunStatus, SubsidyRules
from tongxin.estates.services import (
    ESTATE_FIELDS,
    SUBSIDY_FIELDS,
    duty_record,
    duty_verify,
    estate_rules_for,
    estate_rules_set,
    subsidy_approve,
    subsidy_compute,
    subsidy_rules_for,
    subsidy_rules_set,
)
from tongxin.people.models import PositionKind
from tongxin.people.services import position_create
from tongxin.regions.models import Region
from tongxin.statistics.periods import year as year_period
from tongxin.statistics.registry import REGISTRY
from tongxin.statistics.selectors import compute
from tongxin.testing import make_person, make_user

pytestmark = pytest.mark.django_db


def subsidy_values(**changed: Any) -> dict[str, Any]:
    return {**{k: SUBSIDY_RULES[k] for k in SUBSIDY_FIELDS}, **changed}


def estate_values(**changed: Any) -> dict[str, Any]:
    return {**{k: ESTATE_RULES[k] for k in ESTATE_FIELDS}, **changed}


def _head_with_work(building: Region, name: str, today: date) -> None:
    head = position_create(
        person=make_person(building, name=name),
        kind=PositionKind.BUILDING_HEAD,
        region=building,
        starts_on=date(2020, 1, 1),
    )
    for k in range(3):
        duty = duty_record(
            actor=SYSTEM, position=head, kind="policy", done_on=today - timedelta(days=k), note="宣讲"
        )
        duty_verify(actor=SYSTEM, duty=duty)


def test_a_new_version_changes_a_draft_run_but_not_an_approved_one(world):
    tree, cast = world.cast.tree, world.cast
    today = timezone.localdate()
    if today.timetuple().tm_yday < 3:
        today = date(today.year, 1, 3)
    _head_with_work(world.buildings[0], "张楼长", today)
    _head_with_work(Region.objects.get(name="锦苑1幢"), "钱楼长", today)
    draft = subsidy_compute(actor=cast.staff, community=tree.community_a1, year=today.year, today=today)
    approved = subsidy_compute(actor=SYSTEM, community=tree.community_a2, year=today.year, today=today)
    approved = subsidy_approve(actor=cast.neighbour, run=approved)
    before_draft, before_approved = draft.total, approved.total
    old_rules = approved.rules_id

    rules = subsidy_rules_set(
        actor=cast.street,
        place=tree.street_a,
        valid_from=date(today.year, 1, 1),
        values=subsidy_values(per_item=Decimal("50.00"), base_amount=Decimal("2400.00")),
        source="街道2026年第3号文",
        today=today,
    )
    assert subsidy_rules_for(today, tree.community_a1) == rules
    assert subsidy_rules_for(today, tree.community_b1).pk != rules.pk  # another street keeps its own
    draft = subsidy_compute(actor=cast.staff, community=tree.community_a1, year=today.year, today=today)
    assert draft.rules_id == rules.pk and draft.total > before_draft
    assert {r.work_part for r in draft.rows.all()} == {Decimal("150.00")}
    approved.refresh_from_db()
    assert (approved.status, approved.total, approved.rules_id) == (
        RunStatus.APPROVED,
        before_approved,
        old_rules,
    )
    with pytest.raises(ValidationError):
        subsidy_compute(actor=SYSTEM, community=tree.community_a2, year=today.year, today=today)
    assert AuditEvent.objects.filter(target=f"subsidyrules:{rules.pk}").exists()


def test_the_street_beats_the_county_and_a_later_day_waits(world):
    tree, cast = world.cast.tree, world.cast
    today = timezone.localdate()
    county = estate_rules_set(
        actor=cast.county,
        place=tree.county,
        valid_from=date(today.year, 1, 1),
        values=estate_values(gold_min_cases=9),
    )
    assert estate_rules_for(today, tree.community_b1) == county
    street = estate_rules_set(
        actor=cast.street, place=tree.street_a, valid_from=date(today.year, 1, 1), values=estate_values()
    )
    assert estate_rules_for(today, tree.community_a1) == street
    assert estate_rules_for(today, tree.community_b1) == county
    later = estate_rules_set(
        actor=cast.street,
        place=tree.street_a,
        valid_from=today + timedelta(days=30),
        values=estate_values(gold_requires_red=False),
    )
    assert estate_rules_for(today, tree.community_a1) == street
    assert estate_rules_for(today + timedelta(days=30), tree.community_a1) == later


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        ({"weight_duty": 20}, "weight_duty"),  # the weights sum to 110
        ({"subjective_share": Decimal("1.5")}, "subjective_share"),
        ({"red_member_share": Decimal("0")}, "red_member_share"),
        ({"gold_threshold": Decimal("120")}, "gold_threshold"),
        ({"case_radius_m": 0}, "case_radius_m"),
    ],
)
def test_bad_estate_rules_are_refused_on_their_field(world, changed, field):
    with pytest.raises(ValidationError) as exc:
        estate_rules_set(
            actor=world.cast.street,
            place=world.cast.tree.street_a,
            valid_from=timezone.localdate(),
            values=estate_values(**changed),
        )
    assert field in exc.value.message_dict
    assert not EstateRules.objects.exists()


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        ({"base_amount": Decimal("-1")}, "base_amount"),
        ({"per_item": Decimal("-0.01")}, "per_item"),
        ({"factor_excellent": Decimal("2.5")}, "factor_excellent"),
        ({"factor_basic": Decimal("-0.1")}, "factor_basic"),
    ],
)
def test_bad_subsidy_rules_are_refused_on_their_field(world, changed, field):
    with pytest.raises(ValidationError) as exc:
        subsidy_rules_set(
            actor=world.cast.street,
            place=world.cast.tree.street_a,
            valid_from=timezone.localdate(),
            values=subsidy_values(**changed),
        )
    assert field in exc.value.message_dict


def test_past_years_are_never_rewritten(world):
    last_year = timezone.localdate().year - 1
    with pytest.raises(ValidationError) as exc:
        subsidy_rules_set(
            actor=world.cast.street,
            place=world.cast.tree.street_a,
            valid_from=date(last_year, 6, 1),
            values=subsidy_values(),
        )
    assert "valid_from" in exc.value.message_dict


def test_who_may_set_rules(world):
    tree, cast = world.cast.tree, world.cast
    for actor, place in [
        (cast.secretary, tree.street_a),  # a community sets no rules
        (cast.street, tree.street_b),  # nor a street another street's
        (cast.street, tree.county),  # nor a street the county's
    ]:
        with pytest.raises(PermissionDenied):
            estate_rules_set(
                actor=actor, place=place, valid_from=timezone.localdate(), values=estate_values()
            )
    with pytest.raises(ValidationError):  # rules are a street's or the county's, not a community's
        estate_rules_set(
            actor=cast.county,
            place=tree.community_a1,
            valid_from=timezone.localdate(),
            values=estate_values(),
        )


def _form(values: dict[str, Any], valid_from: date) -> dict[str, Any]:
    data = {k: str(v) for k, v in values.items() if not isinstance(v, bool)}
    data.update({k: "on" for k, v in values.items() if v is True})
    return {**data, "valid_from": valid_from.isoformat(), "source": "街道文件"}


def test_the_pages(world):
    tree, cast = world.cast.tree, world.cast
    today = timezone.localdate()
    street = login(cast.street)
    listing = street.get(reverse("estates:rules"))
    assert listing.status_code == 200 and tree.street_a.name in listing.content.decode()
    page = street.get(reverse("estates:rules_place", args=[tree.street_a.pk]))
    assert page.status_code == 200
    new = reverse("estates:rules_new", args=[tree.street_a.pk, "subsidy"])
    assert street.get(new).status_code == 200
    bad = street.post(new, _form(subsidy_values(factor_excellent="3"), today))
    assert bad.status_code == 200 and "factor_excellent" in bad.context["form"].errors
    assert not SubsidyRules.objects.filter(region=tree.street_a).exists()
    ok = street.post(new, _form(subsidy_values(per_item="30.00"), today))
    assert ok.status_code == 302
    assert SubsidyRules.objects.get(region=tree.street_a).per_item == Decimal("30.00")
    estate_new = reverse("estates:rules_new", args=[tree.street_a.pk, "estate"])
    bad = street.post(estate_new, _form(estate_values(weight_tasks=40), today))
    assert "weight_duty" in bad.context["form"].errors
    assert street.post(estate_new, _form(estate_values(), today)).status_code == 302

    # the firm's evaluation page and a subsidy run's page link to the rules they are computed by
    to_rules = reverse("estates:rules_place", args=[tree.street_a.pk])
    assert to_rules in street.get(reverse("estates:firm", args=[world.firm.pk])).content.decode()
    run = subsidy_compute(actor=SYSTEM, community=tree.community_a1, year=today.year)
    assert to_rules in street.get(reverse("estates:run", args=[run.pk])).content.decode()

    # another street's official: a 404, reading or writing
    other = login(make_user(Role.STREET_OFFICIAL, tree.street_b, username="other_jiedao"))
    assert other.get(reverse("estates:rules_place", args=[tree.street_a.pk])).status_code == 404
    assert other.post(new, _form(subsidy_values(), today)).status_code == 404
    assert tree.street_a.name not in other.get(reverse("estates:rules")).content.decode()

    # a community's staff read their street's rules and change nothing
    staff = login(cast.staff)
    assert staff.get(reverse("estates:rules_place", args=[tree.street_a.pk])).status_code == 200
    assert (
        "New version"
        not in staff.get(reverse("estates:rules_place", args=[tree.street_a.pk])).content.decode()
    )
    assert staff.get(new).status_code == 403
    assert staff.post(new, _form(subsidy_values(per_item="99"), today)).status_code == 403
    assert SubsidyRules.objects.filter(region=tree.street_a).count() == 1

    # the county sets rules for all
    county = login(cast.county)
    county_new = reverse("estates:rules_new", args=[tree.county.pk, "estate"])
    assert county.post(county_new, _form(estate_values(), today)).status_code == 302
    assert county.get(reverse("estates:rules_place", args=[tree.street_b.pk])).status_code == 200


def test_the_red_committee_figure_reads_the_street_s_own_rule(world):
    """The 红色业委会 figure judges each estate by the rules in force at its street, not the default."""
    tree, cast = world.cast.tree, world.cast
    today = timezone.localdate()
    figure = [REGISTRY["estates.red_committee"]]
    before = compute(tree.street_a, year_period(today.year), figure)["estates.red_committee"]
    assert before >= 1  # the estate's director is a Party member: red by default
    # the street now asks for 60% Party members, whoever the director is
    estate_rules_set(
        actor=cast.street,
        place=tree.street_a,
        valid_from=date(today.year, 1, 1),
        values=estate_values(red_if_director_member=False, red_member_share=Decimal("0.60")),
    )
    after = compute(tree.street_a, year_period(today.year), figure)["estates.red_committee"]
    assert after == before - 1
