"""Versioned national defaults for case configuration. Owners edit the rows; this is the start."""

from datetime import date
from decimal import Decimal

RULES_VERSION = "tongxin-2026.1"

# code, name, [(code, name, response h, handling h, closure h, auto whistle)] — working hours
CATEGORIES = [
    (
        "01",
        "环境卫生",
        [
            ("0101", "垃圾清运", 2, 24, 40, False),
            ("0102", "卫生死角", 2, 24, 40, False),
            ("0103", "违规焚烧", 1, 8, 24, True),
        ],
    ),
    (
        "02",
        "物业管理",
        [
            ("0201", "电梯故障", 1, 8, 24, True),
            ("0202", "公共设施维修", 2, 40, 80, False),
            ("0203", "物业服务", 2, 24, 40, False),
        ],
    ),
    (
        "03",
        "矛盾纠纷",
        [
            ("0301", "邻里纠纷", 2, 24, 80, False),
            ("0302", "家庭纠纷", 2, 24, 80, False),
            ("0303", "劳资纠纷", 2, 40, 120, False),
        ],
    ),
    (
        "04",
        "道路设施",
        [
            ("0401", "路面破损", 2, 40, 80, False),
            ("0402", "井盖缺失", 0.5, 4, 16, True),
            ("0403", "路灯损坏", 2, 24, 40, False),
        ],
    ),
    (
        "05",
        "供水供电",
        [
            ("0501", "停水", 0.5, 4, 16, True),
            ("0502", "停电", 0.5, 4, 16, True),
            ("0503", "管道漏水", 1, 8, 24, True),
        ],
    ),
    (
        "06",
        "治安",
        [
            ("0601", "治安隐患", 1, 8, 24, True),
            ("0602", "消防隐患", 0.5, 4, 16, True),
            ("0603", "噪音扰民", 2, 24, 40, False),
        ],
    ),
    (
        "07",
        "政策咨询",
        [
            ("0701", "社保医保", 2, 8, 16, False),
            ("0702", "住房政策", 2, 8, 16, False),
            ("0703", "其他政策", 2, 8, 16, False),
        ],
    ),
    (
        "08",
        "民生求助",
        [
            ("0801", "困难帮扶", 2, 24, 40, False),
            ("0802", "为老服务", 2, 24, 40, False),
            ("0803", "残疾人服务", 2, 24, 40, False),
        ],
    ),
]

# 五哨五到 (seed 001) and the escalation chain grid → community → street → county
# code, name, who reports, [(step, target, responder kind, report hours)]
WHISTLE_TYPES = [
    (
        "escalate",
        "逐级吹哨",
        "社区、街道、区县依次报到",
        [(1, "community", "", 2), (2, "street", "", 4), (3, "county", "", 8)],
    ),
    ("resident", "群众吹哨", "党员（民警）报到", [(1, "community", "", 2)]),
    ("community", "社区党组织吹哨", "网格部门报到", [(1, "responder_kind", "department", 4)]),
    ("street", "街道党工委吹哨", "辖区单位报到", [(1, "responder_kind", "unit", 8)]),
    ("police", "警情吹哨", "公安报到", [(1, "responder_kind", "police", 0.5)]),
    ("camera", "天眼吹哨", "平安见到", [(1, "responder_kind", "police", 1)]),
]

# the rules of the three rates, version 1: 满意率 counts 基本满意 at this weight (Tongxin's stated
# default; the official 接诉即办 formulas are not published)
RATE_RULES_VERSION = 1
RATE_RULES_VALID_FROM = date(2000, 1, 1)
BASICALLY_SATISFIED_WEIGHT = Decimal("0.8")
