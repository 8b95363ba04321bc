"""The COPY generator of the 20-million-case benchmark (demo.cases.scale) at small n: its rows obey
the domain's invariants, and the kept counts it fills equal the counts recomputed from the cases."""

from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from tongxin.cases import daily_counts, flow_counts, selectors
from tongxin.cases.models import OPEN_STATUSES, Case, CaseDailyCount, CaseTransition, Supervision
from tongxin.demo.cases.scale import copy_cases, leaf_grids
from tongxin.lib.tree import ancestor_ids
from tongxin.regions.models import Level, Region

pytestmark = pytest.mark.django_db


def _daily_rows() -> set[tuple]:
    return {
        (r.community_id, r.community_path, r.day, *(getattr(r, f) for f in daily_counts.FIELDS))
        for r in CaseDailyCount.objects.all()
    }


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        found = set()
        for table in (Case._meta.db_table, CaseTransition._meta.db_table):
            found |= {
                c
                for c, info in connection.introspection.get_constraints(cursor, table).items()
                if info["index"]
            }
    return found


@pytest.fixture
def scaled(tree):
    run = copy_cases(1500, seed=7, batch=400)
    return tree, run


def test_counts_and_statuses(scaled):
    _tree, run = scaled
    assert Case.objects.count() == run.cases == 1500
    assert sum(run.statuses.values()) == 1500
    assert CaseTransition.objects.count() == run.transitions
    assert Supervision.objects.count() == run.supervisions
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert statuses == Counter(run.statuses)
    # most cases closed, some closed unsolved or not accepted, a backlog open
    assert statuses["closed"] > 1000 and statuses["closed_unsolved"] and statuses["rejected"]
    assert any(statuses[s] for s in OPEN_STATUSES)


def test_every_case_in_a_leaf_grid_of_its_community(scaled):
    leaves = {pk: (path, community) for pk, path, community in leaf_grids()}
    grids_with_children = set(
        Region.objects.filter(level=Level.GRID, parent__level=Level.GRID).values_list("parent_id", flat=True)
    )
    for grid_id, path, community_id in Case.objects.values_list("grid_id", "region_path", "community_id"):
        assert grid_id in leaves and grid_id not in grids_with_children
        assert leaves[grid_id] == (path, community_id)
        assert community_id in ancestor_ids(path)


def test_tracking_codes_unique_also_when_topped_up(scaled):
    copy_cases(700, seed=8, batch=300)
    codes = list(Case.objects.values_list("tracking_code", flat=True))
    assert len(codes) == len(set(codes)) == 2200
    assert (
        not Case.objects.values("hotline_ticket")
        .exclude(hotline_ticket="")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    # the sequence goes on after the copied ids
    assert Case.objects.order_by("-pk").first().pk == Case.objects.count()


def test_transitions_tell_each_recent_case_how_it_got_its_status(scaled):
    now = timezone.now()
    year_ago = now - timedelta(days=365)
    timelines: dict[int, list[CaseTransition]] = {}
    for t in CaseTransition.objects.order_by("case_id", "at", "id"):
        timelines.setdefault(t.case_id, []).append(t)
    for case in Case.objects.all():
        steps = timelines.get(case.pk, [])
        if case.reported_at >= year_ago or case.status in OPEN_STATUSES:
            assert steps, case.status
            assert steps[0].action == "intake" and steps[0].at == case.reported_at
            assert steps[-1].to_status == case.status
            assert len(steps) - 1 == case.version
            assert 2 <= len(steps) <= 8 or case.status in OPEN_STATUSES
            for one, other in pairwise(steps):
                assert one.to_status == other.from_status
        else:  # older closed cases keep no transitions (archived)
            assert not steps
            assert case.status not in OPEN_STATUSES
        assert case.supervised == case.supervisions.exists()


def test_kept_counts_equal_a_recount(scaled):
    kept_daily = _daily_rows()
    kept_flows = flow_counts.snapshot()
    assert kept_daily and all(kept_flows)
    # the rates of every node from the kept counts equal those counted from its cases
    until = timezone.localdate()
    since = until - timedelta(days=364)
    for region in Region.objects.filter(level__in=[Level.COMMUNITY, Level.STREET, Level.COUNTY, Level.CITY]):
        kept = selectors.region_rates(region, since=since, until=until)
        counted = selectors.case_rates(selectors.cases_in(region), since=since, until=until)
        assert kept == counted, region
    daily_counts.rebuild()
    flow_counts.rebuild()
    assert _daily_rows() == kept_daily
    assert flow_counts.snapshot() == kept_flows


def test_indexes_dropped_for_the_load_come_back(tree):
    before = _indexes()
    copy_cases(300, seed=9, drop_indexes=True)
    assert _indexes() == before
    assert Case.objects.count() == 300


def test_kept_counts_of_a_top_up_added_to_those_there(scaled):
    """The chunks' sums go on top of the kept rows already there (INSERT … ON CONFLICT … + n)."""
    copy_cases(600, seed=11, batch=250)
    kept_daily = _daily_rows()
    kept_flows = flow_counts.snapshot()
    daily_counts.rebuild()
    flow_counts.rebuild()
    assert _daily_rows() == kept_daily
    assert flow_counts.snapshot() == kept_flows
