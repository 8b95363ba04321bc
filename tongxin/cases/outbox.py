"""What a case transition tells, and to whom: the case table's part of the one outbox
(notifications/outbox.py works through the rows not yet processed)."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.cases.models import Case, CaseTransition, Whistle
from tongxin.cases.workflow import Audience, rule_for
from tongxin.core.roles import Capability
from tongxin.lib.tree import ancestor_ids
from tongxin.notifications.outbox import Message, outbox_source
from tongxin.notifications.recipients import officials_at


def _handlers(transition: CaseTransition) -> list[User]:
    """Who held the case right after the transition (recorded on the row: the case may have moved
    on by the time the notifier runs)."""
    user_id, responder_id = transition.data.get("held_by_user"), transition.data.get("held_by_responder")
    users = list(User.objects.filter(pk=user_id, is_active=True)) if user_id else []
    if responder_id:
        users += list(User.objects.filter(responders__pk=responder_id, is_active=True))
    return users


def _pool_members(case: Case) -> list[User]:
    ids = ancestor_ids(case.region_path)
    return list(
        User.objects.filter(
            is_active=True,
            person__branch__region_id__in=ids,
            person__party_status__in=["full", "probationary"],
        )
    )


def _whistled(transition: CaseTransition) -> list[User]:
    whistle = (
        Whistle.objects.filter(case_id=transition.case_id, whistled_at=transition.at).order_by("-id").first()
    )
    if whistle is None:
        return []
    if whistle.to_responder_id:
        return list(User.objects.filter(responders__pk=whistle.to_responder_id, is_active=True))
    return officials_at([whistle.to_region_id], Capability.CASES_MANAGE)  # type: ignore[list-item]


def _supervisors(case: Case) -> list[User]:
    ids = case.supervisions.filter(by__isnull=False).values("by_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _community_managers(case: Case) -> list[User]:
    return officials_at([case.community_id], Capability.CASES_MANAGE)


def _verifiers(transition: CaseTransition) -> list[User]:
    """The verifiers at the grid or the community, and the one the community named (改派核查)."""
    case = transition.case
    grid = [case.grid_id] if case.grid_id else []
    found = officials_at([*grid, case.community_id], Capability.CASES_VERIFY)
    named = case.verifier
    if named is not None and named.is_active and named not in found:
        found.append(named)
    return found


AUDIENCES: dict[str, Callable[[CaseTransition], list[User]]] = {
    Audience.HANDLERS: _handlers,
    Audience.POOL: lambda t: _pool_members(t.case),
    Audience.WHISTLED: _whistled,
    Audience.VERIFIERS: _verifiers,
    Audience.COMMUNITY: lambda t: _community_managers(t.case),
    Audience.SUPERVISORS: lambda t: _supervisors(t.case),
}


def recipients(transition: CaseTransition) -> list[User]:
    """Who hears of a transition: the audiences its rule names (the caller leaves out the actor)."""
    rule = rule_for(transition.action)
    if rule is None:
        return []
    return [user for audience in rule.audiences_for(transition) for user in AUDIENCES[audience](transition)]


def _title(transition: CaseTransition) -> str:
    case = transition.case
    return _("Case %(code)s (%(category)s): %(status)s") % {
        "code": case.tracking_code,
        "category": case.category.name,
        "status": transition.get_to_status_display(),
    }


@outbox_source("case-transition", CaseTransition, related=("case", "case__category"))
def case_message(transition: CaseTransition) -> Message | None:
    """What a case transition tells: its rule's audiences, and the webhook where the rule asks."""
    rule = rule_for(transition.action)
    if rule is None:
        return None
    return Message(
        users=recipients(transition),
        title=_title(transition),
        body=transition.reason,
        url=transition.case.get_absolute_url(),
        webhook_payload=_webhook_payload(transition) if rule.webhook else None,
    )


def _webhook_payload(transition: CaseTransition) -> dict[str, Any]:
    case = transition.case
    return {
        "case": case.tracking_code,
        "action": transition.action,
        "status": transition.to_status,
        "category": case.category.code,
        "community": case.community_id,
        "at": transition.at.isoformat(),
    }
