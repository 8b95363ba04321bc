"""Reads for the big screen (大屏) and its read-only display links.

The screen shows figures only: counts, rates, a map coloured by counts and the latest closed cases
as category, place and time. Nothing that names or reaches a person is ever loaded (values() below
lists the only fields read)."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import formats, timezone

from tongxin.cases.models import CONCLUDED
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.regions.models import Level, Region
from tongxin.statistics.models import DisplayLink
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import REGISTRY, Indicator
from tongxin.statistics.selectors import children_of, compute, total, visible, year_to_date

MANAGE = Capability.ACCOUNTS_MANAGE
# today's figures, in the order shown
TODAY_CODES = ("cases.received", "cases.closed", "cases.open")
# the monthly trend and the map's colour
TREND_CODES = ("cases.received", "cases.closed")
# this year's cases by first-level category, the largest few
CATEGORY_CODE = "cases.received_by_category"
TOP_CATEGORIES = 5
MAP_CODE = "cases.received"
LATEST_CLOSED = 8


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---- display links -----------------------------------------------------------------------------


def display_links(user: Any) -> QuerySet[DisplayLink]:
    """The links of nodes inside the user's accounts.manage scope, newest first."""
    return (
        DisplayLink.objects.filter(scope_for(user, MANAGE).q("region__path"))
        .select_related("region", "created_by", "revoked_by")
        .order_by("-created_at", "-pk")
    )


def display_link_get(user: Any, pk: Any) -> DisplayLink:
    try:
        return display_links(user).get(pk=int(pk))
    except (DisplayLink.DoesNotExist, TypeError, ValueError):
        raise Http404


def display_link_by_token(token: str) -> DisplayLink:
    """The live link for a token, or 404 (unknown and revoked look the same)."""
    if not token or len(token) > 100:
        raise Http404
    link = DisplayLink.objects.select_related("region").filter(token_hash=token_hash(token)).first()
    if link is None or not link.active:
        raise Http404
    return link


def display_regions(user: Any) -> QuerySet[Region]:
    """Nodes a security administrator may put on a screen (buildings have nothing to show)."""
    return (
        Region.objects.filter(scope_for(user, MANAGE).q("path"))
        .exclude(level=Level.BUILDING)
        .only("id", "name", "code", "depth", "path", "level")
        .order_by("path")
    )


# ---- the screen --------------------------------------------------------------------------------


@dataclass
class Tile:
    """One figure as the screen shows it: a number and its unit (a rate as a percentage)."""

    code: str
    name: str
    unit: str
    value: str


@dataclass
class ClosedCase:
    category: str
    place: str
    closed_at: datetime
    days: Decimal
    solved: bool


@dataclass
class Share:
    """One bar of a breakdown: its label, count and width against the largest."""

    label: str
    count: int
    percent: int


@dataclass
class Screen:
    node: Region
    today: date
    now: datetime
    today_tiles: list[Tile]
    year_tiles: list[Tile]
    closed: list[ClosedCase]
    categories: list[Share]
    # for screen.js: the trend chart and the map's counts (geometry is sent once, with the page)
    data: dict[str, Any] = field(default_factory=dict)


def _format(indicator: Indicator, value: Any) -> str:
    value = total(value)
    if value is None:
        return "—"
    if indicator.kind == "ratio":
        return f"{Decimal(value) * 100:.1f}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"
    return f"{value:,}"


def _tiles(indicators: list[Indicator], values: dict[str, Any]) -> list[Tile]:
    return [Tile(i.code, str(i.name), str(i.unit), _format(i, values.get(i.code))) for i in indicators]


def _plain(value: Any) -> Any:
    value = total(value)
    return float(value) if isinstance(value, Decimal) else value


def headline_codes() -> list[str]:
    return [code for code, i in REGISTRY.items() if i.headline]


def _chosen(user: Any, node: Region, codes: Any) -> list[Indicator]:
    """The indicators shown: all of them on a display link (no user), else those the user may read."""
    if user is None:
        return [REGISTRY[c] for c in codes if c in REGISTRY]
    return visible(user, node, codes)


def top_categories(node: Region, period: Period, indicators: list[Indicator]) -> list[Share]:
    if not indicators:
        return []
    indicator = indicators[0]
    counts = compute(node, period, indicators).get(indicator.code) or {}
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:TOP_CATEGORIES]
    largest = max((n for _key, n in top), default=0) or 1
    label = indicator.group_label or str
    return [Share(str(label(key)), n, round(100 * n / largest)) for key, n in top if n]


def latest_closed(node: Region, limit: int = LATEST_CLOSED) -> list[ClosedCase]:
    """The cases closed last in the node: category, place, time and days taken, nothing personal."""
    source = REGISTRY["cases.closed"].source
    assert source is not None
    rows = (
        source.rows(node)
        .filter(CONCLUDED)
        .order_by("-closed_at", "-pk")
        .values(
            "category__name", "community__name", "grid__name", "reported_at", "closed_at", "solved_confirmed"
        )[:limit]
    )
    # the grid on a community's screen, the community above it (a grid's name repeats it)
    small = node.level in (Level.COMMUNITY, Level.GRID)
    found = []
    for row in rows:
        seconds = (row["closed_at"] - row["reported_at"]).total_seconds()
        place = (row["grid__name"] if small else row["community__name"]) or row["community__name"] or ""
        found.append(
            ClosedCase(
                category=row["category__name"],
                place=place,
                closed_at=timezone.localtime(row["closed_at"]),
                days=Decimal(str(max(seconds, 0) / 86400)).quantize(Decimal("0.1")),
                solved=bool(row["solved_confirmed"]),
            )
        )
    return found


def map_areas(node: Region) -> list[Region]:
    """What the map draws: the node's children with a boundary, or the node itself."""
    drawn = [child for child in children_of(node) if child.geometry]
    if not drawn and node.geometry:
        drawn = [node]
    return drawn


def map_geometry(node: Region) -> dict[str, Any]:
    """GeoJSON of the map's areas and the node's own boundary (sent once, with the page)."""
    return {
        "type": "FeatureCollection",
        "outline": node.geometry,
        "features": [area.as_feature(code=area.code) for area in map_areas(node)],
    }


def screen_read(node: Region, *, user: Any = None, today: date | None = None) -> Screen:
    """Everything the screen shows of a node. `user` None means a display link: every headline
    figure; an official sees those their capabilities reach. The caller has checked the node."""
    now = timezone.localtime()
    today = today or now.date()
    ytd = year_to_date(today)
    day = Period(today, today)

    today_indicators = _chosen(user, node, TODAY_CODES)
    today_values = compute(node, day, today_indicators)
    year_indicators = _chosen(user, node, headline_codes())
    year_values = compute(node, ytd, year_indicators)

    trend = _chosen(user, node, TREND_CODES)
    months = ytd.months()
    series: dict[str, list[Any]] = {i.code: [] for i in trend}
    for m in months:
        values = compute(node, m, trend)
        for i in trend:
            series[i.code].append(_plain(values.get(i.code)))

    counts: dict[str, Any] = {}
    coloured = _chosen(user, node, [MAP_CODE])
    if coloured:
        for area in map_areas(node):
            counts[str(area.pk)] = _plain(compute(area, ytd, coloured).get(MAP_CODE))

    closed = latest_closed(node) if _chosen(user, node, ["cases.closed"]) else []
    categories = top_categories(node, ytd, _chosen(user, node, [CATEGORY_CODE]))
    data = {
        "months": [formats.date_format(m.since, "M") for m in months],
        "series": [{"code": i.code, "name": str(i.name), "values": series[i.code]} for i in trend],
        "counts": counts,
        "counted": str(REGISTRY[MAP_CODE].name) if coloured else "",
    }
    return Screen(
        node=node,
        today=today,
        now=now,
        today_tiles=_tiles(today_indicators, today_values),
        year_tiles=_tiles(year_indicators, year_values),
        closed=closed,
        categories=categories,
        data=data,
    )
