"""Versioned national defaults for care tags. Streets and communities override them as rows."""

RULES_VERSION = "tongxin-2026.1"

# code, name, description, visit at least every N days (None: no interval)
CARE_TAGS = [
    ("living_alone", "独居老人", "60周岁以上独自居住的老人", 7),
    ("subsistence", "低保", "享受城乡最低生活保障的家庭", 30),
    ("disability", "残疾", "家庭成员持有残疾人证", 30),
    ("left_behind_child", "留守儿童", "父母外出务工、由他人监护的未成年人", 14),
    ("veteran", "退役军人", "退役军人及其他优抚对象", 90),
    ("extreme_poverty", "特困", "特困供养人员", 14),
    ("serious_illness", "重病", "家庭成员患重大疾病", 14),
]
