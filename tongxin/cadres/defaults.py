"""Versioned national defaults for committee terms. Counties and townships override them as rows."""

RULES_VERSION = "tongxin-2026.1"

# 村（社区）“两委” serve five-year terms (村民委员会组织法 art. 13, 2018 amendment; 中国共产党农村基层
# 组织工作条例 art. 17): both committees are elected together (同步换届).
TERM_YEARS = 5
# warn this many days before a term ends (the county prepares 换届 about three months ahead)
WARN_DAYS = 90
