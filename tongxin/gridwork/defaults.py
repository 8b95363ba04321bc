"""Versioned national defaults for grid work. Communities and streets edit the rows; this is the start.

Log kinds are the grid worker's and the 四员's daily work (seed 003: 政策宣传员, 维稳调解员, 创业指导员);
the visit interval is how often a household with a care tag should be visited. No quotas: an
interval says who is due a visit, never how many entries a worker owes (DOMAIN.md §7)."""

RULES_VERSION = "tongxin-2026.1"

# code, name, a household is usual (preselected step), has an outcome (mediation), order
LOG_KINDS = [
    ("visit", "走访", True, False, 10),
    ("patrol", "巡查", False, False, 20),
    ("inspection", "排查", False, False, 30),
    ("policy", "政策宣传", True, False, 40),
    ("mediation", "矛盾调解", True, True, 50),
    ("startup", "创业就业指导", True, False, 60),
    ("errand", "代办服务", True, False, 70),
]

# a household with any care tag is due a visit after this many days, unless its community or
# street configured otherwise (独居老人 weekly is a common local rule, set as data)
VISIT_INTERVAL_DAYS = 30

# the checklist a new campaign starts from (the street edits it, or keeps others of its own)
CHECKLIST_NAME = "综合排查"
CHECKLIST = [
    ("safety", "安全隐患"),
    ("dispute", "矛盾纠纷"),
    ("fire", "消防"),
]
