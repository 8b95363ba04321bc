"""The default collective-economy tiers (seed 003: 100万元以上 5 villages, 50–100万元 3, all ≥5万元),
version 1; a county writes a new version rather than changing one in use."""

from decimal import Decimal

SOURCE = "萍乡经开区：村级集体经济达到100万元以上、50-100万元、5万元以上"
TIERS = [
    # rank, name, at least (万元), weak
    (1, "100万元以上", Decimal("100.00"), False),
    (2, "50万—100万元", Decimal("50.00"), False),
    (3, "5万—50万元", Decimal("5.00"), False),
    (4, "5万元以下（薄弱村）", Decimal("0.00"), True),
]
