"""Case figures at city scale, for `make bench` (tongxin bench) and `tongxin bench_cases`.

- intake through the API: residents' reports POSTed to /api/v1/cases/public one after another
  (Django's test client, in process: the figure leaves out the web server and the network);
- the case list through the API with filters, as a street official and a community secretary
  see it (count and first page, as every list request does), at ≥ 1,000,000 cases;
- the three rates of a street over a year.

`ensure_cases(n)` first tops the database up to n cases with the bulk writer (demo.cases.bulk_cases).
"""

import gc
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.accounts.services import role_grant, user_create
from tongxin.cases import selectors
from tongxin.cases.models import Case, CaseCategory, CaseTransition
from tongxin.core.keyset import window
from tongxin.core.roles import Role
from tongxin.demo.cases import bulk_cases, places
from tongxin.regions.models import Level, Region

Log = Callable[[str], None]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _analyse() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- data ---------------------------------------------------------------------------------------------


def ensure_cases(n: int, *, seed: int = 2026, log: Log | None = None) -> float:
    """Top the database up to n cases (bulk writer, a year of history); seconds taken."""
    have = Case.objects.count()
    if have >= n:
        return 0.0
    summary = bulk_cases(n - have, rng=random.Random(seed), log=log)
    _analyse()
    return summary.seconds


# --- intake -------------------------------------------------------------------------------------------


@dataclass
class IntakeRun:
    requests: int
    seconds: float
    samples: list[float]
    created: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def measure_intake(requests: int = 2000, *, seed: int = 1, log: Log | None = None) -> IntakeRun:
    """Sequential residents' reports through POST /api/v1/cases/public, each with an
    Idempotency-Key, at points inside grids; every one must answer 201."""
    rng = random.Random(seed)
    where = places(None, rng, points_per_grid=3)
    slots = [(grid, pts) for place in where for grid, pts in place.grids]
    codes = list(
        CaseCategory.objects.filter(active=True, parent__isnull=False).values_list("code", flat=True)
    )
    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host outside the test runner
    run = uuid.uuid4().hex  # fresh keys: a key seen in the last 24 hours would only replay
    before = Case.objects.count()
    samples: list[float] = []
    gc.collect()
    started = time.perf_counter()
    for i in range(requests):
        _grid, points = rng.choice(slots)
        lng, lat = rng.choice(points)
        body = json.dumps(
            {
                "kind": "complaint",
                "category": rng.choice(codes),
                "description": "楼下垃圾桶已满两天无人清运",
                "lng": lng,
                "lat": lat,
                "reporter_phone": f"139{rng.randint(10_000_000, 99_999_999)}",
            }
        )
        t0 = time.perf_counter()
        response = client.post(
            "/api/v1/cases/public",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": f"{run}-{i}"},
        )
        samples.append(time.perf_counter() - t0)
        if response.status_code != 201:
            raise AssertionError(f"intake answered {response.status_code}: {response.content[:300]!r}")
    seconds = time.perf_counter() - started
    result = IntakeRun(requests, seconds, samples, Case.objects.count() - before)
    if result.created != requests:
        raise AssertionError(f"{requests} reports made {result.created} cases")
    if log:
        log(f"  intake: {result.per_second:.0f} cases/s, p50 {percentile(samples, 0.5) * 1000:.1f} ms")
    return result


# --- lists --------------------------------------------------------------------------------------------


@dataclass
class ListRun:
    user: str
    in_scope: int
    filters: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def all_samples(self) -> list[float]:
        return [s for samples in self.filters.values() for s in samples]


def _bench_user(name: str, role: str, region: Region) -> User:

    user = User.objects.filter(username=name).first()
    if user is None:
        user = user_create(username=name, password=None)
        role_grant(user=user, role=role, region=region, granted_by=None)
    return user


def list_users() -> list[tuple[str, User, Region]]:
    """A street official of the street with the most cases, and a secretary of its busiest
    community (accounts made for the benchmark, without a password)."""
    busiest = (
        Case.objects.values("community_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("community_id", flat=True)
    )
    community = Region.objects.get(pk=busiest[0])
    street = community.parent
    assert street is not None
    return [
        (
            f"street official @ {street.name}",
            _bench_user("bench-cases-street", Role.STREET_OFFICIAL, street),
            street,
        ),
        (
            f"community secretary @ {community.name}",
            _bench_user("bench-cases-community", Role.COMMUNITY_SECRETARY, community),
            community,
        ),
    ]


def list_filters(area: Region, now: Any) -> dict[str, str]:
    """The filters an official uses most, as query strings of GET /api/v1/cases."""
    grid = Region.objects.filter(path__startswith=area.path, level=Level.GRID).order_by("path").first()
    some = selectors.cases_in(area).order_by("-reported_at").values_list("tracking_code", flat=True).first()
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    filters = {
        "everything": "",
        "open": "status=open",
        "overdue": "overdue=true",
        "supervised": "supervised=true&status=open",
        "category 环境卫生, open": "category=01&status=open",
        "last 30 days": f"since={since}",
        "closed, one grid": f"status=closed&node={grid.pk}" if grid else "status=closed",
        "tracking code": f"q={some}",
        "words": "q=垃圾",
        "deep page": "offset=5000",  # by OFFSET (deprecated); measure_pages compares with the cursor
    }
    return filters


def measure_lists(repeat: int = 20, *, log: Log | None = None) -> list[ListRun]:
    runs = []
    for label, user, area in list_users():
        client = Client(HTTP_HOST="127.0.0.1")  # an allowed host outside the test runner
        client.force_login(user)
        run = ListRun(label, selectors.cases_in(area).count())
        for name, query in list_filters(area, timezone.now()).items():
            samples = []
            for i in range(repeat + 1):
                t0 = time.perf_counter()
                response = client.get(f"/api/v1/cases?limit=50&{query}")
                elapsed = time.perf_counter() - t0
                if response.status_code != 200:
                    raise AssertionError(f"list answered {response.status_code}: {response.content[:300]!r}")
                if i:  # the first request warms caches and is not counted
                    samples.append(elapsed)
            run.filters[name] = samples
            run.counts[name] = response.json()["count"]
        if log:
            log(f"  list {label}: p95 {percentile(run.all_samples(), 0.95) * 1000:.1f} ms")
        runs.append(run)
    return runs


# --- deep pages -------------------------------------------------------------------------------------


@dataclass
class PagesRun:
    """The case list's first page against page `page` (50 a page) by OFFSET and by keyset cursor:
    the whole API request (count included, the same for every page), and the page's ids alone."""

    user: str
    in_scope: int
    page: int
    api: dict[str, list[float]] = field(default_factory=dict)
    ids: dict[str, list[float]] = field(default_factory=dict)


def _city_user() -> tuple[str, User, Region]:
    county = Region.objects.filter(level=Level.COUNTY).order_by("path").first()
    assert county is not None
    user = _bench_user("bench-cases-county", Role.COUNTY_ORG, county)
    return f"county 组织部 @ {county.name} (city-wide)", user, county


def measure_pages(repeat: int = 10, *, page: int = 2000, log: Log | None = None) -> list[PagesRun]:
    """For a street official and the county (city-wide): page 1, and page `page` (or the last page
    of a smaller scope) by `offset` and by `cursor`, through GET /api/v1/cases?limit=50."""
    runs = []
    for label, user, area in [list_users()[0], _city_user()]:
        run = _pages_of(label, user, area, page, repeat)
        if log:
            log(
                f"  pages {label}: "
                + ", ".join(f"{k} p50 {percentile(v, 0.5) * 1000:.1f} ms" for k, v in run.api.items())
            )
        runs.append(run)
    return runs


def _pages_of(label: str, user: User, area: Region, page: int, repeat: int) -> PagesRun:
    size = 50
    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host outside the test runner
    client.force_login(user)
    in_scope = selectors.cases_in(area).count()
    deep = max(2, min(page, in_scope // size))
    before = client.get(f"/api/v1/cases?limit={size}&offset={(deep - 2) * size}").json()
    cursor = before["next_cursor"]  # the cursor of page `deep`, as a walk would have it
    queries = {
        "first page": f"limit={size}",
        f"page {deep:,} by offset": f"limit={size}&offset={(deep - 1) * size}",
        f"page {deep:,} by cursor": f"limit={size}&cursor={cursor}",
    }
    run = PagesRun(label, in_scope, deep)
    for name, query in queries.items():
        run.api[name] = _timed(lambda q=query: client.get(f"/api/v1/cases?{q}"), repeat)  # type: ignore[misc]
    ids = selectors.cases_visible(user).order_by("-reported_at", "-id").values("pk")
    offset = (deep - 1) * size
    run.ids = {
        "first page": _timed(lambda: window(ids, None, size), repeat),
        f"page {deep:,} by offset": _timed(lambda: list(ids[offset : offset + size]), repeat),
        f"page {deep:,} by cursor": _timed(lambda: window(ids, cursor, size), repeat),
    }
    return run


def _timed(call: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for i in range(repeat + 1):
        t0 = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - t0
        status = getattr(result, "status_code", 200)
        if status != 200:
            raise AssertionError(f"answered {status}: {result.content[:300]!r}")
        if i:  # the first warms caches and is not counted
            samples.append(elapsed)
    return samples


def render_pages(runs: list[PagesRun]) -> str:
    """The deep-page figures as a Markdown table."""
    out = [
        "| scope | cases in scope | request | API p50 / p95 ms | page ids alone p50 / p95 ms |",
        "|---|--:|---|--:|--:|",
    ]
    for run in runs:
        for name, samples in run.api.items():
            ids = run.ids[name]
            out.append(
                f"| {run.user} | {run.in_scope:,} | {name} | {_ms(samples, 0.5)} / {_ms(samples, 0.95)} "
                f"| {_ms(ids, 0.5)} / {_ms(ids, 0.95)} |"
            )
    return "\n".join(out)


# --- rates --------------------------------------------------------------------------------------------


@dataclass
class RatesRun:
    street: str
    dispatched: int
    samples: list[float]
    api_samples: list[float]
    rates: tuple[Any, Any, Any]


def measure_rates(repeat: int = 10, *, log: Log | None = None) -> RatesRun:
    """The three rates of the busiest street over the last 365 days: the selector, and the API."""
    label, user, street = list_users()[0]
    until = timezone.localdate()
    since = until - timedelta(days=364)
    samples, api_samples = [], []
    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host outside the test runner
    client.force_login(user)
    figures = None
    for i in range(repeat + 1):
        t0 = time.perf_counter()
        figures = selectors.region_rates(street, since=since, until=until)
        t1 = time.perf_counter()
        response = client.get(f"/api/v1/cases/rates?node={street.pk}&since={since}&until={until}")
        t2 = time.perf_counter()
        assert response.status_code == 200, response.content
        if i:
            samples.append(t1 - t0)
            api_samples.append(t2 - t1)
    assert figures is not None
    run = RatesRun(
        label,
        figures.dispatched,
        samples,
        api_samples,
        (figures.response_rate, figures.resolution_rate, figures.satisfaction_rate),
    )
    if log:
        log(
            f"  rates {label}: p50 {percentile(samples, 0.5) * 1000:.1f} ms over {figures.dispatched:,} cases"
        )
    return run


# --- all of it ----------------------------------------------------------------------------------------


@dataclass
class CasesReport:
    cases: int
    transitions: int
    fill_seconds: float
    intake: IntakeRun
    lists: list[ListRun]
    rates: RatesRun


def run_all(
    *,
    cases: int = 1_000_000,
    intake_requests: int = 2000,
    repeat: int = 20,
    seed: int = 2026,
    log: Log | None = None,
) -> CasesReport:
    """What `make bench` reports for cases. Needs regions with grids (the demo city) in the database."""
    fill = ensure_cases(cases, seed=seed, log=log)
    lists = measure_lists(repeat, log=log)
    rates = measure_rates(max(5, repeat // 2), log=log)
    intake = measure_intake(intake_requests, seed=seed, log=log)  # last: it adds cases

    return CasesReport(Case.objects.count(), CaseTransition.objects.count(), fill, intake, lists, rates)


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:.1f}"


def render(report: CasesReport) -> str:
    """The report as a Markdown section (without a heading of its own)."""
    intake, rates = report.intake, report.rates
    out = [
        f"Cases in the database: {report.cases:,} with {report.transitions:,} transitions"
        + (f" (bulk writer: {report.fill_seconds:.0f} s)." if report.fill_seconds else "."),
        "",
        "**Intake through the API** (`POST /api/v1/cases/public` with an Idempotency-Key, one after another, "
        "Django test client in process: no web server or network in the figure)",
        "",
        "| requests | cases/s sustained | p50 ms | p99 ms |",
        "|--:|--:|--:|--:|",
        f"| {intake.requests:,} | {intake.per_second:.0f} | {_ms(intake.samples, 0.5)} | "
        f"{_ms(intake.samples, 0.99)} |",
        "",
        "**Case list through the API** (`GET /api/v1/cases?limit=50&…`: roles, count and the page; "
        "p50 / p95 ms per filter)",
        "",
        "| user | cases in scope | "
        + " | ".join(report.lists[0].filters)
        + " | all filters, p95 | all but words, p95 |",
        "|---|--:|" + "--:|" * len(report.lists[0].filters) + "--:|--:|",
    ]
    for run in report.lists:
        cells = " | ".join(f"{_ms(s, 0.5)} / {_ms(s, 0.95)}" for s in run.filters.values())
        indexed = [x for name, samples in run.filters.items() if name != "words" for x in samples]
        out.append(
            f"| {run.user} | {run.in_scope:,} | {cells} | {_ms(run.all_samples(), 0.95)} "
            f"| {_ms(indexed, 0.95)} |"
        )
    response, resolution, satisfaction = rates.rates
    out += [
        "",
        "**Three rates of a street over a year** (`selectors.region_rates`, and `GET /api/v1/cases/rates`)",
        "",
        "| street | cases dispatched | selector p50 / p95 ms | API p50 / p95 ms | 响应率 | 解决率 | 满意率 |",
        "|---|--:|--:|--:|--:|--:|--:|",
        f"| {rates.street} | {rates.dispatched:,} | {_ms(rates.samples, 0.5)} / {_ms(rates.samples, 0.95)} | "
        f"{_ms(rates.api_samples, 0.5)} / {_ms(rates.api_samples, 0.95)} | "
        f"{response} | {resolution} | {satisfaction} |",
    ]
    return "\n".join(out)
