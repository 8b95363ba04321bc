"""Polygons that tile their parent: irregular quadrilaterals cut from a quadrilateral.

A quad is split into rows by slightly tilted lines, and each row into cells by slightly tilted
segments. Neighbours share their edges (the same straight lines), so children cover their
parent with no gap and no overlap, and can be split again for nested grids.
"""

import math
import random
from typing import Any

Point = tuple[float, float]
# south-west, south-east, north-east, north-west
Quad = tuple[Point, Point, Point, Point]

# how far an inner cut may move, as a share of the cell size
JITTER = 0.18
DECIMALS = 7


def _lerp(p: Point, q: Point, t: float) -> Point:
    return (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)


def _cuts(n: int, rng: random.Random) -> list[float]:
    """n + 1 parameters from 0 to 1, the inner ones jittered."""
    step = 1.0 / n
    return [0.0] + [(i + rng.uniform(-JITTER, JITTER)) * step for i in range(1, n)] + [1.0]


def rows_for(n: int) -> list[int]:
    """A near-square arrangement of n cells: cells per row, north row first."""
    rows = max(1, round(math.sqrt(n)))
    base, extra = divmod(n, rows)
    return [base + (1 if r < extra else 0) for r in range(rows)]


def split(quad: Quad, row_counts: list[int], rng: random.Random) -> list[Quad]:
    """Cells numbered north→south, and west→east within a row (DB11/T 2157 order)."""
    sw, se, ne, nw = quad
    n_rows = len(row_counts)
    west, east = _cuts(n_rows, rng), _cuts(n_rows, rng)
    # line i runs west→east; line 0 is the south edge, line n_rows the north edge
    lines = [(_lerp(sw, nw, west[i]), _lerp(se, ne, east[i])) for i in range(n_rows + 1)]
    cells: list[Quad] = []
    for r, count in enumerate(row_counts):
        top, bottom = lines[n_rows - r], lines[n_rows - r - 1]
        low, high = _cuts(count, rng), _cuts(count, rng)
        for c in range(count):
            cells.append(
                (
                    _lerp(bottom[0], bottom[1], low[c]),
                    _lerp(bottom[0], bottom[1], low[c + 1]),
                    _lerp(top[0], top[1], high[c + 1]),
                    _lerp(top[0], top[1], high[c]),
                )
            )
    return cells


def rectangle_quad(centre: Point, width: float, height: float) -> Quad:
    x, y = centre
    w, h = width / 2, height / 2
    return ((x - w, y - h), (x + w, y - h), (x + w, y + h), (x - w, y + h))


def to_geojson(quad: Quad) -> dict[str, Any]:
    ring = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in quad]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def point_inside(quad: Quad, u: float, v: float) -> Point:
    """The point at (u, v) in [0, 1]², bilinear over the quad (inside it for a convex quad)."""
    sw, se, ne, nw = quad
    bottom, top = _lerp(sw, se, u), _lerp(nw, ne, u)
    x, y = _lerp(bottom, top, v)
    return (round(x, DECIMALS), round(y, DECIMALS))


def bounds(quad: Quad) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    return (min(xs), min(ys), max(xs), max(ys))
