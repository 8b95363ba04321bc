"""The life of a need as data: one rule per action (core.workflow). `lists.services._need_step` is the
one function that moves a need: it locks the row, asks the rule, updates the row on its status and
writes one NeedTransition (the need's history). The services around it check who may act."""

from enum import StrEnum

from django.utils.translation import pgettext_lazy

from tongxin.core.workflow import Labels, Rule, by_action
from tongxin.lists.models import Need, NeedStatus


class NeedAction(StrEnum):
    PUBLISH = "publish"
    CLAIM = "claim"
    RELEASE = "release"
    WITHDRAW = "withdraw"
    START = "start"
    MEET = "meet"
    REOPEN = "reopen"


NEW = ""  # the status before a need exists

RULES: dict[str, Rule[Need]] = by_action(
    [
        Rule(
            action=NeedAction.PUBLISH,
            sources={NEW},
            target=NeedStatus.OPEN,
            who={"keeper"},
            labels=Labels(timeline=pgettext_lazy("need history", "Published")),
        ),
        Rule(
            action=NeedAction.CLAIM,
            sources={NeedStatus.OPEN},
            target=NeedStatus.CLAIMED,
            who={"keeper", "liaison"},
            labels=Labels(timeline=pgettext_lazy("need history", "Claimed")),
        ),
        Rule(
            action=NeedAction.RELEASE,
            sources={NeedStatus.CLAIMED},
            target=NeedStatus.OPEN,
            who={"keeper", "liaison"},
            labels=Labels(timeline=pgettext_lazy("need history", "Given back")),
        ),
        Rule(
            action=NeedAction.WITHDRAW,
            sources={NeedStatus.OPEN, NeedStatus.CLAIMED},
            target=NeedStatus.WITHDRAWN,
            who={"keeper"},
            needs_reason=True,
            labels=Labels(timeline=pgettext_lazy("need history", "Withdrawn")),
        ),
        Rule(
            action=NeedAction.START,
            sources={NeedStatus.CLAIMED},
            target=NeedStatus.IN_PROJECT,
            who={"keeper", "liaison"},
            labels=Labels(timeline=pgettext_lazy("need history", "Project started")),
        ),
        Rule(
            action=NeedAction.MEET,
            sources={NeedStatus.IN_PROJECT},
            target=NeedStatus.DONE,
            who={"keeper"},
            labels=Labels(timeline=pgettext_lazy("need history", "Met: project accepted")),
        ),
        Rule(
            action=NeedAction.REOPEN,
            sources={NeedStatus.IN_PROJECT},
            target=NeedStatus.OPEN,
            who={"keeper"},
            needs_reason=True,
            labels=Labels(timeline=pgettext_lazy("need history", "Project cancelled: open again")),
        ),
    ]
)


def timeline_label(action: str) -> str:
    rule = RULES.get(action)
    return str(rule.labels.timeline) if rule is not None else action
