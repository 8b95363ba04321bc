"""The life of a need, a project and a milestone as data: one rule per action (core.workflow).

`lists.services._need_step` is the one function that moves a need: it locks the row, asks the rule,
updates the row on its status and writes one NeedTransition (the need's history); `_project_step`
records each step of a project or a milestone in ProjectTransition. The services around them check
who may act."""

from enum import StrEnum

from django.utils.translation import pgettext_lazy

from tongxin.core.workflow import Labels, Rule, by_action
from tongxin.lists.models import Milestone, MilestoneStatus, Need, NeedStatus, Project, ProjectStatus


class Audience(StrEnum):
    """Who hears of a step (lists/outbox.py finds the accounts)."""

    COMMUNITY = "community"  # the officials who keep the lists at the need's community
    UNIT = "unit"  # the liaisons of the unit that claimed the need or owns the project


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
            audiences={Audience.COMMUNITY, Audience.UNIT},
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


class ProjectAction(StrEnum):
    START = "start"
    CLOSE = "close"
    CANCEL = "cancel"
    REPORT = "report"  # a milestone's progress (at 100 % it awaits acceptance)
    ACCEPT = "accept"  # the community accepts a milestone (验收)


PROJECT_RULES: dict[str, Rule[Project]] = by_action(
    [
        Rule(
            action=ProjectAction.START,
            sources={NEW},
            target=ProjectStatus.ACTIVE,
            who={"keeper", "liaison"},
            labels=Labels(timeline=pgettext_lazy("project history", "Started")),
        ),
        Rule(
            action=ProjectAction.CLOSE,
            sources={ProjectStatus.ACTIVE},
            target=ProjectStatus.CLOSED,
            who={"keeper"},
            audiences={Audience.UNIT},
            labels=Labels(timeline=pgettext_lazy("project history", "Accepted as delivered")),
        ),
        Rule(
            action=ProjectAction.CANCEL,
            sources={ProjectStatus.ACTIVE},
            target=ProjectStatus.CANCELLED,
            who={"keeper"},
            needs_reason=True,
            labels=Labels(timeline=pgettext_lazy("project history", "Cancelled")),
        ),
    ]
)

MILESTONE_RULES: dict[str, Rule[Milestone]] = by_action(
    [
        Rule(
            action=ProjectAction.REPORT,
            sources={MilestoneStatus.OPEN, MilestoneStatus.REPORTED},
            target=None,  # open below 100 %, reported at 100 %
            who={"keeper", "liaison"},
            labels=Labels(timeline=pgettext_lazy("project history", "Milestone progress reported")),
        ),
        Rule(
            action=ProjectAction.ACCEPT,
            sources={MilestoneStatus.OPEN, MilestoneStatus.REPORTED},
            target=MilestoneStatus.ACCEPTED,
            who={"keeper"},
            labels=Labels(timeline=pgettext_lazy("project history", "Milestone accepted")),
        ),
    ]
)


def timeline_label(action: str) -> str:
    rule = RULES.get(action)
    return str(rule.labels.timeline) if rule is not None else action


def project_timeline_label(action: str) -> str:
    rule = PROJECT_RULES.get(action) or MILESTONE_RULES.get(action)
    return str(rule.labels.timeline) if rule is not None else action
