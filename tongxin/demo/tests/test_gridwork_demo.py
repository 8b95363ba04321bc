"""The demo's year of grid work reads like the seeds: every leaf grid's worker has a log, the
township counts 排查300余次 (seed 001) and the figures scale like seed 003 per grid worker."""

import random

import pytest
from django.db import connection
from django.db.models import Count, QuerySet
from django.test import override_settings
from django.utils import timezone

from tongxin.demo.generator import Options, generate
from tongxin.demo.gridwork import generate_gridwork
from tongxin.demo.households import generate_households
from tongxin.gridwork.models import KindCode, LogEntry
from tongxin.households.models import Household, Link, LinkKind
from tongxin.people.models import Position, PositionKind
from tongxin.regions.models import Kind, Level, Region

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def year(db):
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        generate(Options(people=300, method="services"))
    now = timezone.now()
    generate_households(rng=random.Random("h"), now=now)
    generate_gridwork(rng=random.Random("g"), now=now)
    if connection.vendor == "postgresql":
        # the planner's statistics of the tables just filled, as autovacuum would gather them: a
        # table another test analysed while empty (statistics outlive a rolled-back test) would
        # otherwise be planned as empty, and a join over thousands of rows never ends
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _under(street: Region) -> "QuerySet[LogEntry]":
    return LogEntry.objects.filter(region_path__startswith=street.path)


def test_every_grid_worker_has_a_year_and_the_figures_scale_like_the_seeds(year):
    workers = Position.objects.filter(
        kind=PositionKind.GRID_WORKER, ends_on__isnull=True, region__level=Level.GRID
    )
    logged = set(LogEntry.objects.values_list("grid_id", flat=True).distinct())
    assert {w.region_id for w in workers} <= logged
    for street in Region.objects.filter(level=Level.STREET):
        n = workers.filter(region__path__startswith=street.path).count()
        counts = dict(_under(street).values_list("code").annotate(n=Count("pk")))
        # seed 003: 1,074 policy talks, 334 mediations and 318 start-up advice for 163 workers
        assert 0.8 * 1074 / 163 * n <= counts[KindCode.POLICY] <= 1.2 * 1074 / 163 * n
        assert 0.7 * 334 / 163 * n <= counts[KindCode.MEDIATION] <= 1.3 * 334 / 163 * n
        assert 0.7 * 318 / 163 * n <= counts[KindCode.STARTUP] <= 1.3 * 318 / 163 * n
        if street.kind == Kind.TOWN:
            assert 300 <= counts[KindCode.INSPECTION] < 400  # seed 001: 排查300余次
    assert LogEntry.objects.filter(case__isnull=False).exists()  # the findings made cases


def test_every_street_has_households_and_links(year):
    for street in Region.objects.filter(level=Level.STREET):
        assert Household.objects.filter(region_path__startswith=street.path).exists(), street.name
        assert Link.objects.filter(region_path__startswith=street.path, kind=LinkKind.TEN_HOUSEHOLDS).exists()
    town = Region.objects.get(level=Level.STREET, kind=Kind.TOWN)
    assert Link.objects.filter(region_path__startswith=town.path, kind=LinkKind.PAIRED_WORKERS).exists()
    assert Link.objects.filter(kind=LinkKind.CADRE_GRIDS).count() == 3


def test_the_villages_have_households_that_their_grid_workers_visit(year):
    town = Region.objects.get(level=Level.STREET, kind=Kind.TOWN)
    groups = Region.objects.filter(
        level=Level.GRID, path__startswith=town.path, parent__kind=Kind.VILLAGE, children__isnull=True
    )
    assert groups.exists()
    for group in groups:
        households = Household.objects.filter(building=group)
        assert 25 <= households.count() <= 60, group.name
        assert all("组" in h.street and h.house_number and not h.room for h in households)
    in_villages = Household.objects.filter(building__in=groups)
    assert Link.objects.filter(kind=LinkKind.TEN_HOUSEHOLDS, households__in=in_villages).exists()
    assert LogEntry.objects.filter(code=KindCode.VISIT, household__in=in_villages).exists()
