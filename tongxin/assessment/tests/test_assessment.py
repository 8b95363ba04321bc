"""Schemes, runs, scores, grades and who sees what — pages, API and the ledger export."""

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tongxin.assessment import scoring
from tongxin.assessment.ledger import scores_import
from tongxin.assessment.models import Result, SubjectKind
from tongxin.assessment.services import (
    Cell,
    item_add,
    run_compute,
    run_finalise,
    run_start,
    scheme_create,
    scheme_new_version,
    scheme_publish,
    scheme_update,
    scores_enter,
)
from tongxin.cases.testing import load_case_configuration, report_case
from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.testing import make_user

YEAR = timezone.localdate().year


@pytest.fixture
def setup(tree):
    load_case_configuration()
    county_org = make_user(Role.COUNTY_ORG, tree.county)
    scheme = scheme_create(
        actor=county_org, owner=tree.county, name="村社区班子考核", year=YEAR, assess_cadres=False
    )
    item_add(
        actor=county_org,
        scheme=scheme,
        name="诉求受理",
        applies_to="team",
        weight=Decimal(40),
        max_score=Decimal(100),
        source="objective",
        indicator="cases.received",
        rule="linear",
        low=Decimal(0),
        high=Decimal(2),
    )
    item_add(
        actor=county_org,
        scheme=scheme,
        name="述职评议",
        applies_to="team",
        weight=Decimal(60),
        max_score=Decimal(100),
        source="subjective",
    )
    scheme_publish(actor=county_org, scheme=scheme)
    return SimpleNamespace(tree=tree, org=county_org, scheme=scheme)


def test_a_published_scheme_never_changes_and_a_new_version_copies_it(setup):
    with pytest.raises(ValidationError):
        scheme_update(actor=setup.org, scheme=setup.scheme, name="改名")
    copy = scheme_new_version(actor=setup.org, scheme=setup.scheme)
    assert copy.version == 2 and not copy.is_published
    assert [i.name for i in copy.items.all()] == ["诉求受理", "述职评议"]


def test_an_objective_item_changes_when_the_facts_change(setup):
    run = run_start(actor=setup.org, scheme=setup.scheme)
    team = run.results.get(region=setup.tree.community_a1)
    first = team.scores.get(item__name="诉求受理")
    assert first.value == 0 and first.score == 0
    assert "/statistics/rows/cases.received/" in first.source_url
    report_case(setup.tree)
    assert run_compute(actor=setup.org, run=run) >= 1
    again = team.scores.get(item__name="诉求受理")
    assert again.value == 1 and again.score == Decimal("50.00")  # linear 0 → 2


def test_subjective_scores_are_all_or_nothing(setup):
    run = run_start(actor=setup.org, scheme=setup.scheme)
    item = setup.scheme.items.get(name="述职评议")
    teams = list(run.results.all())
    with pytest.raises(ValidationError) as bad:
        scores_enter(
            actor=setup.org,
            run=run,
            cells=[Cell(teams[0].pk, item.pk, "90"), Cell(teams[1].pk, item.pk, "120")],
        )
    assert f"{teams[1].pk}-{item.pk}" in bad.value.message_dict
    assert not run.results.filter(scores__item=item).exists()
    assert scores_enter(actor=setup.org, run=run, cells=[Cell(t.pk, item.pk, "85") for t in teams]) == len(
        teams
    )


def test_import_reports_each_bad_row(setup):
    run = run_start(actor=setup.org, scheme=setup.scheme)
    teams = list(run.results.order_by("pk"))
    book = Workbook()
    sheet = book.active
    sheet.append(["No.", "subject", "述职评议"])
    sheet.append([teams[0].pk, "x", 88])
    sheet.append([999999, "x", 70])
    sheet.append([teams[1].pk, "x", "很好"])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(ValidationError) as bad:
        scores_import(actor=setup.org, run=run, data=data.getvalue())
    text = " ".join(bad.value.messages)
    assert "Row 3" in text
    assert not Result.objects.filter(run=run, scores__score=88).exists()


@pytest.mark.parametrize(
    "total, grade",
    [
        ("90", "excellent"),
        ("89.99", "good"),
        ("80", "good"),
        ("79.99", "fair"),
        ("60", "fair"),
        ("59.99", "poor"),
    ],
)
def test_grade_cut_offs_on_their_edges(total, grade):
    scheme = SimpleNamespace(excellent_min=Decimal(90), good_min=Decimal(80), fair_min=Decimal(60))
    assert scoring.grade_by_cutoffs(Decimal(total), scheme) == grade


def test_grades_by_shares_keep_ties_together_and_the_bottom_rule():
    scheme = SimpleNamespace(excellent_share=20, good_share=40, fair_min=Decimal(60))
    totals = [Decimal(x) for x in ("95", "90", "90", "80", "70", "50", "65", "85", "75", "88")]
    grades = scoring.grades_by_shares(totals, scheme)
    assert grades[0] == "excellent" and grades[1] == grades[2] == "excellent"  # a tie at the boundary
    assert grades[5] == "poor"
    assert scoring.bottom(totals, count=1, below=None) == [t == Decimal(50) for t in totals]
    assert scoring.contest_result(
        [Decimal(x) for x in ("70", "90", "80", "100")], drop_extremes=True
    ) == Decimal("85.00")


def _finished(setup):
    run = run_start(actor=setup.org, scheme=setup.scheme)
    item = setup.scheme.items.get(name="述职评议")
    scores_enter(
        actor=setup.org,
        run=run,
        cells=[Cell(t.pk, item.pk, str(60 + 10 * i)) for i, t in enumerate(run.results.order_by("pk"))],
    )
    return run_finalise(actor=setup.org, run=run)


def test_a_village_secretary_sees_only_their_own_result_in_pages_api_and_export(setup):
    run = _finished(setup)
    tree = setup.tree
    own = run.results.get(region=tree.community_a1, kind=SubjectKind.TEAM)
    other = run.results.get(region=tree.community_a2, kind=SubjectKind.TEAM)
    client = login(make_user(Role.COMMUNITY_SECRETARY, tree.community_a1))
    page = client.get(f"/assessment/runs/{run.pk}/")
    assert page.status_code == 200
    assert (
        tree.community_a1.name in page.content.decode()
        and tree.community_a2.name not in page.content.decode()
    )
    assert client.get(f"/assessment/results/{own.pk}/").status_code == 200
    assert client.get(f"/assessment/results/{other.pk}/").status_code == 404
    body = client.get(f"/api/v1/assessment/runs/{run.pk}/results").json()
    assert [r["region_id"] for r in body] == [tree.community_a1.pk]
    assert "rank" not in body[0]
    ledger = load_workbook(io.BytesIO(client.get(f"/assessment/runs/{run.pk}/ledger.xlsx").content)).active
    names = [row[2] for row in ledger.iter_rows(min_row=2, values_only=True)]
    assert names == [tree.community_a1.name]
    # owner-only pages
    assert client.get(f"/assessment/runs/{run.pk}/scores/").status_code == 403
    assert client.post(f"/assessment/runs/{run.pk}/recompute/").status_code == 403


def test_a_street_sees_its_villages_only_when_shared_and_others_nothing(setup):
    run = _finished(setup)
    tree = setup.tree
    street = login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    assert street.get(f"/api/v1/assessment/runs/{run.pk}/results").json() == []
    type(setup.scheme).objects.filter(pk=setup.scheme.pk).update(share_with_streets=True)
    regions = {r["region_id"] for r in street.get(f"/api/v1/assessment/runs/{run.pk}/results").json()}
    assert regions == {tree.community_a1.pk, tree.community_a2.pk}
    nobody = login(make_user(Role.GRID_WORKER, tree.community_b1))
    assert nobody.get(f"/assessment/runs/{run.pk}/").status_code == 403
    assert nobody.get(f"/api/v1/assessment/runs/{run.pk}/results").status_code == 403


def test_rankings_only_for_the_owner_and_only_when_the_scheme_shows_them(setup):
    run = _finished(setup)
    owner = login(setup.org)
    assert "rank" not in owner.get(f"/api/v1/assessment/runs/{run.pk}/results").json()[0]
    type(setup.scheme).objects.filter(pk=setup.scheme.pk).update(show_ranking=True)
    assert "rank" in owner.get(f"/api/v1/assessment/runs/{run.pk}/results").json()[0]
    assert owner.get(f"/assessment/runs/{run.pk}/").status_code == 200
    assert owner.get(f"/assessment/runs/{run.pk}/ledger.xlsx").status_code == 200
