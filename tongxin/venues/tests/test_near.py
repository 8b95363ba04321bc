"""Near me in the database: candidates come from a box around the position (widened until enough
lie inside), so a city's venues are not all loaded; the result equals sorting every venue by
great-circle distance."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.venues.models import Venue, VenueKind
from tongxin.venues.selectors import distance_km, public_venues, venues_near

pytestmark = pytest.mark.django_db

CENTRE = (31.30, 120.60)  # 苏州


def _brute(lat, lng, limit, kind=""):
    """What the page showed before: every public venue, nearest first, those without a point last."""
    venues = list(public_venues().filter(kind=kind) if kind else public_venues())

    def key(v):
        if v.lat is None or v.lng is None:
            return (True, 0.0, v.pk)
        return (False, distance_km(lat, lng, v.lat, v.lng), v.pk)

    return [v.pk for v in sorted(venues, key=key)][:limit]


@pytest.fixture
def city(tree):
    rng = random.Random(15)
    rows = []
    for i in range(150):
        # most within a few km, some across the province, a few far away
        spread = rng.choice([0.02, 0.05, 0.3, 2.0, 20.0])
        rows.append(
            Venue(
                name=f"阵地{i:03d}",
                kind=rng.choice([VenueKind.SERVICE_CENTRE, VenueKind.CANTEEN]),
                region=tree.community_a1,
                lat=CENTRE[0] + rng.uniform(-spread, spread),
                lng=CENTRE[1] + rng.uniform(-spread, spread),
                public=i % 17 != 0,
                hours=["08:00-17:00"] * 7,
            )
        )
    for i in range(4):
        rows.append(Venue(name=f"无坐标{i}", kind=VenueKind.OTHER, region=tree.community_a1, hours=[]))
    Venue.objects.bulk_create(rows)


@pytest.mark.parametrize(
    "point,limit,kind",
    [
        (CENTRE, 50, ""),
        (CENTRE, 10, ""),
        (CENTRE, 10, VenueKind.CANTEEN),
        ((31.33, 120.63), 25, ""),
        ((39.90, 116.40), 20, ""),  # far from all of them: the box widens to everything
        (CENTRE, 500, ""),  # more than there are: every venue, those without a point last
    ],
)
def test_the_result_equals_sorting_every_venue(city, point, limit, kind):
    found = venues_near(*point, kind=kind, limit=limit)
    assert [v.pk for v in found] == _brute(*point, limit, kind)
    # each carries its distance for the page
    assert all(v.distance is None or v.distance >= 0 for v in found)


def test_a_dense_neighbourhood_does_not_load_the_city(city):
    with CaptureQueriesContext(connection) as queries:
        found = venues_near(*CENTRE, limit=5)
    assert len(found) == 5
    first = queries.captured_queries[0]["sql"]
    assert '"lat" >=' in first and '"lng" <=' in first
    # only the box's venues came back, not the 150
    assert len(queries.captured_queries) == 1


def test_without_a_position_every_public_venue_by_community(city):
    assert len(venues_near(None, None)) == Venue.objects.filter(public=True, active=True).count()
