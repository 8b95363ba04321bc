"""Kept figures (statistics/kept.py): what the worker keeps equals the live computation for every
indicator at four levels and several periods; pages read a fresh row and say when it was computed;
an old row is not read; the sweep computes what is due once; scope is unchanged."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.jobs.registry import PERIODIC, load_all
from tongxin.regions.models import Level, Region
from tongxin.statistics import kept, report, selectors
from tongxin.statistics.models import KeptFigures
from tongxin.statistics.periods import year
from tongxin.statistics.registry import REGISTRY
from tongxin.statistics.services import figures_keep, figures_keep_sweep
from tongxin.statistics.tests.test_registry import _periods

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("statistics-district")]


class Everyone:
    is_authenticated = True
    pk = None
    _tongxin_roles = [("county_org", "/"), ("street_official", "/")]


def _levels():
    street = Region.objects.filter(level=Level.STREET).order_by("code").first()
    return [
        Region.objects.get(level=Level.CITY),
        Region.objects.filter(level=Level.COUNTY, path__lt=street.path).order_by("-path").first(),
        street,
        Region.objects.filter(level=Level.COMMUNITY, path__startswith=street.path).order_by("code").first(),
    ]


def test_kept_figures_equal_the_live_computation(district):
    """Every indicator, four levels, five periods: the kept value is the live one, type and all;
    the monthly lines of the overview and of the report too."""
    every = list(REGISTRY.values())
    lines = [i for i in every if i.trend]
    checked = 0
    for node in _levels():
        assert node is not None
        for period in _periods():
            live = selectors.compute(node, period, every)
            figures_keep(node=node, period=period)
            with kept.reading() as reading:
                found = selectors.kept_or_compute(node, period, every)
                assert reading.as_of is not None, (node.name, period)
                for code in REGISTRY:
                    assert found[code] == live[code], (code, node.name, period)
                    assert type(found[code]) is type(live[code]), (code, node.name, period)
                    checked += 1
                if len(period.months()) > 1:
                    _labels, series = selectors.monthly(Everyone(), node, period, [i.code for i in lines])
                    computed = selectors.monthly_values(node, period, lines)
                    assert series and series == {c: computed[c] for c in series}, (node.name, period)
                    monthly = [REGISTRY[c] for c in report.MONTHLY_CODES]
                    assert reading.series(node, period, report.MONTHLY_CODES) == report.monthly_counts(
                        monthly, node, period
                    )
    assert checked == 4 * len(_periods()) * len(REGISTRY)


def test_children_read_the_kept_rows_and_equal_live(district):
    _city, _county, street, _community = _levels()
    period = year(timezone.localdate().year)
    codes = [i.code for i in REGISTRY.values() if not i.group_by]
    live = selectors.children_values(Everyone(), street, period, codes)
    for child in selectors.children_of(street):
        figures_keep(node=child, period=period)
    with kept.reading() as reading:
        found = selectors.children_values(Everyone(), street, period, codes)
    assert reading.as_of is not None
    assert found == live


def test_an_old_row_is_not_read(district):
    _city, _county, street, _community = _levels()
    period = year(timezone.localdate().year)
    row = figures_keep(node=street, period=period)
    row.values = {**row.values, "cases.received": 999_999}
    row.save()
    code = REGISTRY["cases.received"]
    with kept.reading():
        assert selectors.kept_or_compute(street, period, [code])["cases.received"] == 999_999
    # this year had not ended when the row was computed: it is read for MAX_AGE_OPEN only
    KeptFigures.objects.filter(pk=row.pk).update(computed_at=timezone.now() - kept.MAX_AGE_OPEN * 2)
    with kept.reading() as reading:
        value = selectors.kept_or_compute(street, period, [code])["cases.received"]
    assert value == selectors.compute(street, period, [code])["cases.received"] != 999_999
    assert reading.as_of is None
    # outside a reading block nothing is read from the kept rows
    KeptFigures.objects.filter(pk=row.pk).update(computed_at=timezone.now())
    assert selectors.kept_or_compute(street, period, [code])["cases.received"] != 999_999
    KeptFigures.objects.filter(pk=row.pk).delete()


def test_a_closed_period_is_kept_longer(district):
    _city, _county, street, _community = _levels()
    last_year = year(timezone.localdate().year - 1)
    row = figures_keep(node=street, period=last_year)
    now = timezone.now()
    assert kept.max_age(row) == kept.MAX_AGE_CLOSED
    assert kept.fresh(row, now + kept.MAX_AGE_OPEN * 2)
    assert not kept.fresh(row, now + kept.MAX_AGE_CLOSED + timedelta(minutes=1))
    this_year = figures_keep(node=street, period=year(timezone.localdate().year))
    assert kept.max_age(this_year) == kept.MAX_AGE_OPEN


@pytest.mark.scheduled_sweeps
def test_the_sweep_keeps_what_is_due_once_and_shards_split_the_nodes(district):
    KeptFigures.objects.all().delete()
    now = timezone.now()
    levels = (Level.CITY, Level.COUNTY)  # the sweep walks every level alike; two keep the test short
    nodes = Region.objects.filter(level__in=levels).count()
    assert nodes > 1
    periods = len(kept.standard_periods(timezone.localdate(now)))
    first = figures_keep_sweep(now=now, shard=0, shards=2, levels=levels)
    second = figures_keep_sweep(now=now, shard=1, shards=2, levels=levels)
    assert first + second == nodes * periods
    assert KeptFigures.objects.count() == nodes * periods
    assert figures_keep_sweep(now=now, levels=levels) == 0  # nothing is due again
    KeptFigures.objects.filter(node__level=Level.CITY).delete()
    assert figures_keep_sweep(now=now, budget=0, levels=levels) == 1  # the budget spent: next run
    assert figures_keep_sweep(now=now, levels=levels) == periods - 1
    later = now + kept.MAX_AGE_OPEN  # the open periods' rows have spent half their age
    open_rows = KeptFigures.objects.filter(until__gte=timezone.localdate(now)).count()
    assert figures_keep_sweep(now=later, levels=levels) == open_rows
    load_all()
    assert "statistics.keep_figures" in PERIODIC


def test_the_overview_says_when_the_figures_were_kept(district):
    client = Client()
    official = User.objects.get(username="jiedao")
    client.force_login(official)
    street = selectors.node_roots(official)[0]
    period = year(timezone.localdate().year)
    KeptFigures.objects.filter(node=street).delete()
    page = client.get(f"/statistics/?node={street.pk}&period=year&year={period.since.year}")
    assert page.status_code == 200 and "as-of" not in page.content.decode()
    figures_keep(node=street, period=period)
    figures_keep(node=street, period=period.previous())
    page = client.get(f"/statistics/?node={street.pk}&period=year&year={period.since.year}")
    body = page.content.decode()
    assert page.status_code == 200 and "as-of" in body and "live=1" in body
    assert page.context["as_of"] is not None
    live = client.get(f"/statistics/?node={street.pk}&period=year&year={period.since.year}&live=1")
    assert live.status_code == 200 and live.context["as_of"] is None
    found = client.get(f"/api/v1/statistics/values?node={street.pk}&period=year").json()
    assert found["as_of"] is not None
    assert (
        client.get(f"/api/v1/statistics/values?node={street.pk}&period=year&live=true").json()["as_of"]
        is None
    )


def test_kept_rows_change_nobody_s_scope(district):
    """A kept row of another street is still out of reach: 404 on the page and the API."""
    official = User.objects.get(username="jiedao")
    own = selectors.node_roots(official)[0]
    other = Region.objects.filter(level=Level.STREET).exclude(pk=own.pk).first()
    period = year(timezone.localdate().year)
    figures_keep(node=other, period=period)
    client = Client()
    client.force_login(official)
    assert client.get(f"/statistics/?node={other.pk}&period=year").status_code == 404
    assert client.get(f"/api/v1/statistics/values?node={other.pk}&period=year").status_code == 404
    assert client.get(f"/api/v1/statistics/children?node={other.pk}&period=year").status_code == 404
    city = Region.objects.get(level=Level.CITY)
    figures_keep(node=city, period=period)
    assert client.get(f"/api/v1/statistics/children?node={city.pk}&period=year").status_code == 404
