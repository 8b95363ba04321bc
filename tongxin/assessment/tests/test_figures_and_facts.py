"""The figures of assessments by node (a street never counts grades a scheme keeps from it) and an
objective item following the facts: the resolution rate after a case is closed through the cases
services, on recompute."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tongxin.assessment.models import Scheme
from tongxin.assessment.services import (
    Cell,
    item_add,
    run_compute,
    run_finalise,
    run_start,
    scheme_create,
    scheme_publish,
    scores_enter,
)
from tongxin.cases.testing import load_case_configuration
from tongxin.cases.tests.pages import make_cast, move, verified
from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.statistics import periods
from tongxin.statistics.registry import REGISTRY
from tongxin.statistics.selectors import compute, rows_of, total
from tongxin.testing import make_user

YEAR = timezone.localdate().year
CODES = ("assessment.teams", "assessment.teams_by_grade", "assessment.teams_excellent", "assessment.bottom")


@pytest.fixture
def cast(tree):
    load_case_configuration()
    return make_cast(tree)


def _scheme(cast, indicator="cases.received", **rule):
    scheme = scheme_create(
        actor=cast.county, owner=cast.tree.county, name="班子考核", year=YEAR, assess_cadres=False
    )
    item_add(
        actor=cast.county,
        scheme=scheme,
        name="诉求解决率",
        applies_to="team",
        weight=Decimal(50),
        max_score=Decimal(100),
        source="objective",
        indicator=indicator,
        rule="linear",
        **(rule or {"low": Decimal(0), "high": Decimal(2)}),
    )
    item_add(
        actor=cast.county,
        scheme=scheme,
        name="述职评议",
        applies_to="team",
        weight=Decimal(50),
        max_score=Decimal(100),
        source="subjective",
    )
    return scheme_publish(actor=cast.county, scheme=scheme)


def _final(cast):
    scheme = _scheme(cast)
    run = run_start(actor=cast.county, scheme=scheme)
    item = scheme.items.get(name="述职评议")
    scores_enter(actor=cast.county, run=run, cells=[Cell(r.pk, item.pk, "95") for r in run.results.all()])
    return run_finalise(actor=cast.county, run=run)


def _figures(node):
    values = compute(node, periods.year(YEAR), [REGISTRY[c] for c in CODES])
    return {code: total(values.get(code)) for code in CODES}


def _listed(node):
    return {r.region_id for r in rows_of(REGISTRY["assessment.teams_by_grade"], node, periods.year(YEAR))}


def test_grade_figures_count_at_a_node_only_where_the_scheme_lets_it_see_them(cast):
    tree = cast.tree
    run = _final(cast)
    teams = run.results.filter(kind="team")
    under_street = teams.filter(region_path__startswith=tree.street_a.path).count()
    assert under_street >= 2
    # the county (the owner) sees every team; the street of an unshared scheme none, neither at
    # its own node nor at its villages' (the children table of its overview reads those)
    assert _figures(tree.county)["assessment.teams"] == teams.count()
    assert _figures(tree.street_a)["assessment.teams"] == 0
    assert _figures(tree.street_a)["assessment.teams_by_grade"] == 0
    assert _listed(tree.street_a) == set()
    assert _figures(tree.community_a1)["assessment.teams"] == 0
    # the village sees its own result on the assessment's pages
    village = login(make_user(Role.COMMUNITY_SECRETARY, tree.community_a1))
    own = run.results.get(region=tree.community_a1, kind="team")
    assert village.get(f"/assessment/results/{own.pk}/").status_code == 200
    # shared with streets: the street counts its villages, each village its own
    Scheme.objects.filter(pk=run.scheme_id).update(share_with_streets=True)
    assert _figures(tree.street_a)["assessment.teams"] == under_street
    assert _listed(tree.street_a) == {tree.community_a1.pk, tree.community_a2.pk}
    assert _figures(tree.community_a1)["assessment.teams"] == 1
    assert _listed(tree.community_a1) == {tree.community_a1.pk}


def test_the_resolution_rate_item_follows_a_case_closed_through_the_services(cast):
    """The issue's test: an assessment whose objective item changes when the facts change."""
    scheme = _scheme(cast, "cases.resolution_rate", low=Decimal(0), high=Decimal(100))
    unsolved = verified(cast)
    move(unsolved, ("follow_up", cast.secretary, {"solved": False}))
    pending = verified(cast)
    run = run_start(actor=cast.county, scheme=scheme)
    team = run.results.get(region=cast.tree.community_a1, kind="team")
    before = team.scores.get(item__name="诉求解决率")
    assert before.value == Decimal(0) and before.score == Decimal("0.00")  # 0 of 1 concluded solved
    assert "/statistics/rows/cases.resolution_rate/" in before.source_url
    move(pending, ("follow_up", cast.secretary, {"solved": True}))
    assert run_compute(actor=cast.county, run=run) >= 1
    after = team.scores.get(item__name="诉求解决率")
    assert after.value == Decimal(50) and after.score == Decimal("50.00")  # 1 of 2: 50%, linear 0 → 100
    other = run.results.get(region=cast.tree.community_a2, kind="team").scores.get(item__name="诉求解决率")
    assert other.value is None and other.score is None  # no case concluded there: no figure
