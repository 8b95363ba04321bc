"""What the demo steps share: a tally of what a step wrote, and where the demo district is."""

from dataclasses import dataclass, field

from tongxin.accounts.models import RoleAssignment
from tongxin.core.roles import Role
from tongxin.regions.models import Level, Region


@dataclass
class Tally:
    """What a demo step wrote, for the demo command's summary: a count by kind, in order of first write."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def lines(self) -> list[str]:
        return [f"{name}: {n}" for name, n in self.counts.items()]


def demo_street() -> Region | None:
    """The street of the first grid worker's grid: the street the demo accounts work in."""
    grant = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, region__level=Level.GRID)
        .select_related("region")
        .order_by("id")
        .first()
    )
    if grant is None:
        return None
    ids = [int(p) for p in grant.region.path.strip("/").split("/")]
    return Region.objects.filter(pk__in=ids, level=Level.STREET).first()
