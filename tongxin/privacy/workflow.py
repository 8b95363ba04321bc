"""The life of a subject-rights request as data: one rule per action (core.workflow).

`privacy.services.request_transition` is the one function that moves a request: it locks the row,
checks the version, asks the rule and writes one RequestTransition. Completing a deletion request
erases through the retention job's own functions (privacy.erasure).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.actors import Actor, user_or_none
from tongxin.core.workflow import Labels, Rule, by_action
from tongxin.privacy.models import RequestStatus, SubjectRequest

HANDLER = "handler"  # an official with privacy.requests where the request sits


class RequestAction(StrEnum):
    START = "start"
    COMPLETE = "complete"
    REFUSE = "refuse"


def _answer(
    request: SubjectRequest, actor: Actor, reason: str, now: datetime, params: dict[str, Any]
) -> None:
    request.response = reason.strip()
    request.answered_at = now
    request.handler = user_or_none(actor) or request.handler


def _start(request: SubjectRequest, actor: Actor, reason: str, now: datetime, params: dict[str, Any]) -> None:
    request.handler = user_or_none(actor) or request.handler


RULES: dict[str, Rule[SubjectRequest]] = by_action(
    [
        Rule(
            action=RequestAction.START,
            sources={RequestStatus.RECEIVED},
            target=RequestStatus.IN_PROGRESS,
            who={HANDLER},
            effect=_start,
            labels=Labels(timeline=pgettext_lazy("request history", "Taken up"), button=_("Take it up")),
        ),
        Rule(
            action=RequestAction.COMPLETE,
            sources={RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS},
            target=RequestStatus.COMPLETED,
            who={HANDLER},
            needs_reason=True,
            effect=_answer,
            labels=Labels(
                timeline=pgettext_lazy("request history", "Answered"),
                button=_("Complete with this answer"),
                reason=_("Answer to the person"),
            ),
        ),
        Rule(
            action=RequestAction.REFUSE,
            sources={RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS},
            target=RequestStatus.REFUSED,
            who={HANDLER},
            needs_reason=True,
            effect=_answer,
            labels=Labels(
                timeline=pgettext_lazy("request history", "Refused"),
                button=_("Refuse, giving the reason"),
                reason=_("Reason for refusing"),
            ),
        ),
    ]
)


def actions_from(status: str) -> list[Rule[SubjectRequest]]:
    return [rule for rule in RULES.values() if rule.leaves(status)]
