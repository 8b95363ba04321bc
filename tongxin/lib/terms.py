"""Shared words of two texts, Chinese-aware: Chinese is compared by character bigrams (no word
segmenter needed), other scripts by words. Runs of shared bigrams read back as whole terms
(助学 + 学金 → 助学金)."""

import re

_RUN = re.compile(r"[\u3400-\u9fff]+|[A-Za-z0-9]{2,}")
# bigrams in almost every need or offer: sharing them says nothing
STOP = frozenset(
    [
        "社区",
        "居民",
        "群众",
        "需要",
        "提供",
        "开展",
        "服务",
        "活动",
        "我们",
        "进行",
        "一个",
        "相关",
        "工作",
        "问题",
        "情况",
        "帮助",
        "单位",
        "可以",
        "以及",
        "定期",
        "组织",
    ]
)


def _runs(text: str) -> list[str]:
    return _RUN.findall(text or "")


def _is_cjk(run: str) -> bool:
    return "\u3400" <= run[0] <= "\u9fff"


def terms_of(text: str) -> set[str]:
    """The comparable pieces of a text: Chinese bigrams and lower-cased other words."""
    found: set[str] = set()
    for run in _runs(text):
        if _is_cjk(run):
            found.update(run[i : i + 2] for i in range(len(run) - 1))
        else:
            found.add(run.lower())
    return found - STOP


def shared_terms(text: str, other: str, *, limit: int = 5) -> list[str]:
    """The terms `text` shares with `other`, as they read in `text`, longest first."""
    common = terms_of(text) & terms_of(other)
    if not common:
        return []
    terms: list[str] = []
    for run in _runs(text):
        if not _is_cjk(run):
            if run.lower() in common and run.lower() not in terms:
                terms.append(run.lower())
            continue
        start = None
        for i in range(len(run)):
            shared = i < len(run) - 1 and run[i : i + 2] in common
            if shared and start is None:
                start = i
            elif not shared and start is not None:
                term = run[start : i + 1]
                if term not in terms:
                    terms.append(term)
                start = None
    # a term inside a longer one says nothing more
    terms = [t for t in terms if not any(t != o and t in o for o in terms)]
    terms.sort(key=lambda t: -len(t))
    return terms[:limit]
