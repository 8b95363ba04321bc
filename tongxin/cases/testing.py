"""Case test data through the real services."""

import importlib
from datetime import datetime
from typing import Any

from django.apps import apps

from tongxin.cases.models import Case, CaseCategory, CaseKind, CaseSource
from tongxin.cases.services import case_intake


def load_case_configuration() -> None:
    """Transactional tests flush the tables, the default categories and rate rules included: load
    them again (the data migrations' own functions, which leave existing rows alone)."""
    for module, function in (
        ("tongxin.cases.migrations.0002_default_configuration", "load_defaults"),
        ("tongxin.cases.migrations.0011_rate_rules_version_1", "version_1"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)


def category(code: str = "0101") -> CaseCategory:
    return CaseCategory.objects.get(code=code)


def report_case(
    tree: Any, *, at: tuple[float, float] = (120.605, 31.31), now: datetime | None = None, **kw: Any
) -> Case:
    """A resident's report located in grid 1.1 of 滚绣坊社区 (by default)."""
    kw.setdefault("source", CaseSource.RESIDENT)
    kw.setdefault("kind", CaseKind.COMPLAINT)
    kw.setdefault("category", category())
    kw.setdefault("description", "楼下垃圾三天没人清运，气味很大")
    kw.setdefault("reporter_phone", "13812341234")
    case, _token = case_intake(lng=at[0], lat=at[1], now=now, **kw)
    return case
