"""Grid-work test data. Households are written directly until tongxin.households has its services."""

import importlib
from typing import Any

from django.apps import apps

from tongxin.households.models import CareTag, Household, HouseholdTag
from tongxin.regions.models import Region


def make_household(building: Region, room: str, *, tag: str = "") -> Household:
    grid = building.parent
    assert grid is not None and grid.parent is not None
    household = Household.objects.create(
        building=building,
        grid=grid,
        community=grid.parent,
        region_path=building.path,
        street="文昌路",
        house_number="12",
        unit="1",
        room=room,
        address=f"文昌路12号1单元{room}室",
    )
    if tag:
        HouseholdTag.objects.create(
            household=household, tag=CareTag.objects.get(code=tag, region__isnull=True)
        )
    return household


def any_tag() -> Any:
    return CareTag.objects.filter(region__isnull=True).order_by("sort_order").first()


def load_gridwork_configuration() -> None:
    """Transactional tests flush the tables: load the default log kinds, interval and care tags again
    (the data migrations' own functions, which leave existing rows alone)."""
    for module in (
        "tongxin.gridwork.migrations.0002_default_log_kinds",
        "tongxin.households.migrations.0002_default_care_tags",
    ):
        importlib.import_module(module).load_defaults(apps, None)
    importlib.import_module("tongxin.gridwork.migrations.0004_kinds_and_checklists_by_area").load_checklist(
        apps, None
    )
