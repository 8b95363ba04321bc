"""Word search in cases at city scale, for `tongxin bench_words` (run by `make bench` after
bench_cases, on the same cases).

For a street official of the busiest street and a secretary of its busiest community, and each
query: `GET /api/v1/cases?limit=50&q=…` (roles, count and the first page, as every list request
does) through the bigram index (cases.search), and the same count and first page the way the list
searched before the index (`description__contains` over the scope, a scan) for comparison. The
results of both must be the same ids, or the benchmark stops.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Q, QuerySet
from django.test import Client

from tongxin.cases import selectors
from tongxin.cases.models import Case
from tongxin.demo.bench.cases import list_users, percentile

Log = Callable[[str], None]

# two common words, a three-character one and a word no description holds (a typo, a rare term)
QUERIES = ("垃圾", "漏水", "楼道灯", "窨井")


@dataclass
class WordRun:
    user: str
    in_scope: int
    query: str
    found: int
    api: list[float] = field(default_factory=list)
    indexed: list[float] = field(default_factory=list)
    scan: list[float] = field(default_factory=list)


def _page(qs: QuerySet[Case]) -> tuple[int, list[int]]:
    ordered = qs.order_by("-reported_at", "-id")
    return ordered.count(), list(ordered.values_list("pk", flat=True)[:50])


def _scan(qs: QuerySet[Case], q: str) -> QuerySet[Case]:
    return qs.filter(Q(tracking_code=q.upper()) | Q(hotline_ticket=q) | Q(description__contains=q))


def measure_words(
    repeat: int = 20, *, queries: tuple[str, ...] = QUERIES, scan_repeat: int = 5, log: Log | None = None
) -> list[WordRun]:
    runs = []
    for label, user, area in list_users():
        client = Client(HTTP_HOST="127.0.0.1")  # an allowed host outside the test runner
        client.force_login(user)
        visible = selectors.cases_visible(user)
        in_scope = selectors.cases_in(area).count()
        for q in queries:
            run = WordRun(label, in_scope, q, 0)
            for i in range(repeat + 1):
                t0 = time.perf_counter()
                response = client.get("/api/v1/cases?" + urlencode({"limit": 50, "q": q}))
                t1 = time.perf_counter()
                found = _page(selectors.cases_search(visible, q))
                t2 = time.perf_counter()
                if response.status_code != 200:
                    raise AssertionError(
                        f"search answered {response.status_code}: {response.content[:300]!r}"
                    )
                if i:  # the first request warms caches and is not counted
                    run.api.append(t1 - t0)
                    run.indexed.append(t2 - t1)
            run.found = found[0]
            if response.json()["count"] != found[0]:
                raise AssertionError(
                    f"{q}: the API counted {response.json()['count']}, the selector {found[0]}"
                )
            for i in range(scan_repeat + 1):
                t0 = time.perf_counter()
                before = _page(_scan(visible, q))
                if i:
                    run.scan.append(time.perf_counter() - t0)
            if before != found:
                raise AssertionError(f"{q}: the index found {found[0]} cases, the scan {before[0]}")
            if log:
                log(
                    f"  words {label} q={q}: {found[0]:,} found, API p95 {_ms(run.api, 0.95)} ms, "
                    f"scan p95 {_ms(run.scan, 0.95)} ms"
                )
            runs.append(run)
    return runs


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:.1f}"


def render(runs: list[WordRun]) -> str:
    """The figures as a Markdown table (without a heading of its own)."""
    out = [
        f"{connection.vendor}, {Case.objects.count():,} cases. API: `GET /api/v1/cases?limit=50&q=…` "
        "(roles, count and first page); index / scan: the same count and first page of ids through "
        "`selectors.cases_search` and through the old `description__contains` scan. p50 / p95 ms.",
        "",
        "| user | cases in scope | q | found | API p50 / p95 | index p50 / p95 | scan p50 / p95 |",
        "|---|--:|---|--:|--:|--:|--:|",
    ]
    for run in runs:
        out.append(
            f"| {run.user} | {run.in_scope:,} | {run.query} | {run.found:,} | "
            f"{_ms(run.api, 0.5)} / {_ms(run.api, 0.95)} | "
            f"{_ms(run.indexed, 0.5)} / {_ms(run.indexed, 0.95)} | "
            f"{_ms(run.scan, 0.5)} / {_ms(run.scan, 0.95)} |"
        )
    return "\n".join(out)
