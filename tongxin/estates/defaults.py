"""The versioned defaults of the estate and subsidy rules: used until a street or county saves its own.

Subsidy: seed 002 (松原) pays building heads from 20% of the community's service fund, "linked to
their assessment"; the amounts here are a stated default to be replaced by each place's own."""

from datetime import date
from decimal import Decimal
from typing import Any

ESTATE_RULES: dict[str, Any] = {
    "version": "estates-1",
    "valid_from": date(2020, 1, 1),
    "red_if_director_member": True,
    "red_member_share": Decimal("0.50"),
    "weight_resolution": 30,
    "weight_satisfaction": 30,
    "weight_in_time": 15,
    "weight_tasks": 15,
    "weight_duty": 10,
    "subjective_share": Decimal("0.20"),
    "gold_threshold": Decimal("90"),
    "gold_min_cases": 5,
    "gold_requires_red": True,
    "case_radius_m": 80,
    "source": "Tongxin default (同心默认规则，第1版)",
}

SUBSIDY_RULES: dict[str, Any] = {
    "version": "subsidy-1",
    "valid_from": date(2020, 1, 1),
    "base_amount": Decimal("1200.00"),
    "per_item": Decimal("20.00"),
    "item_cap": 40,
    "factor_excellent": Decimal("1.20"),
    "factor_competent": Decimal("1.00"),
    "factor_basic": Decimal("0.80"),
    "factor_incompetent": Decimal("0.00"),
    "factor_unassessed": Decimal("1.00"),
    "source": "Tongxin default after seed 002 (基础补贴 + 按核实工作量计发，按考核等次系数)",
}
