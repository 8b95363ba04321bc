"""Household test data, written through the services."""

from typing import Any

from tongxin.core.actors import SYSTEM
from tongxin.households.models import CareTag, Household
from tongxin.households.services import household_create, household_set_tags
from tongxin.regions.models import Level, Region
from tongxin.regions.services import region_create


def make_building(grid: Region, number: int = 2) -> Region:
    return region_create(
        actor=SYSTEM, name=f"{number}幢", level=Level.BUILDING, code=f"{grid.code}{number:05d}", parent=grid
    )


def make_household(
    building: Region, room: str = "502", *, tags: tuple[str, ...] = (), **data: Any
) -> Household:
    data.setdefault("street", "文昌路")
    data.setdefault("house_number", "12")
    data.setdefault("unit", "3")
    household = household_create(actor=SYSTEM, building=building, room=room, **data)
    if tags:
        household_set_tags(
            household=household, actor=SYSTEM, tags=CareTag.objects.filter(region__isnull=True, code__in=tags)
        )
    return household
