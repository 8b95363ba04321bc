"""The notifier: works through case transitions not yet processed (the outbox)."""

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import RoleAssignment, User
from tongxin.accounts.roles import ROLE_CAPABILITIES, Capability
from tongxin.cases.models import Case, CaseTransition, Whistle
from tongxin.notifications.services import notify


def _roles_with(capability: str) -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]


def _officials_at(region_ids: list[int], capability: str) -> list[User]:
    """Accounts holding `capability` exactly at these nodes (not everyone above them)."""
    user_ids = RoleAssignment.objects.filter(
        region_id__in=region_ids, role__in=_roles_with(capability)
    ).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def _handlers(case: Case) -> list[User]:
    users = [case.assignee_user] if case.assignee_user_id else []
    if case.assignee_responder_id:
        users += list(case.assignee_responder.members.filter(is_active=True))  # type: ignore[union-attr]
    return [u for u in users if u is not None]


def _pool_members(case: Case) -> list[User]:
    from tongxin.lib.tree import ancestor_ids

    ids = ancestor_ids(case.region_path)
    return list(
        User.objects.filter(
            is_active=True,
            person__branch__region_id__in=ids,
            person__party_status__in=["full", "probationary"],
        )
    )


def recipients(transition: CaseTransition) -> list[User]:
    case = transition.case
    community = [case.community_id]
    grid = [case.grid_id] if case.grid_id else []
    action = transition.action
    if action == "intake":
        return _officials_at(community, Capability.CASES_MANAGE)
    if action in {"dispatch", "warn", "verify_fail", "reopen"}:
        return _handlers(case) + (
            _officials_at(community, Capability.CASES_MANAGE) if action == "reopen" else []
        )
    if action == "pool":
        return _pool_members(case)
    if action == "whistle":
        whistle = Whistle.objects.filter(case=case).order_by("-id").first()
        if whistle is None:
            return []
        if whistle.to_responder_id:
            return list(whistle.to_responder.members.filter(is_active=True))  # type: ignore[union-attr]
        return _officials_at([whistle.to_region_id], Capability.CASES_MANAGE)  # type: ignore[list-item]
    if action == "supervise":
        return _handlers(case) + _officials_at(community, Capability.CASES_MANAGE)
    if action == "resolve":
        return _officials_at(grid + community, Capability.CASES_VERIFY)
    if action in {"decline", "answer_supervision"} or (
        action == "rate" and transition.data.get("rating") == "unsatisfied"
    ):
        return _officials_at(community, Capability.CASES_MANAGE)
    return []


def _title(transition: CaseTransition) -> str:
    case = transition.case
    return _("Case %(code)s (%(category)s): %(status)s") % {
        "code": case.tracking_code,
        "category": case.category.name,
        "status": transition.get_to_status_display(),
    }


def outbox_process(*, now: datetime | None = None, limit: int = 500) -> int:
    """Notify for each unprocessed transition once; a transition is claimed by conditional update."""
    now = now or timezone.now()
    done = 0
    pending = (
        CaseTransition.objects.filter(processed_at__isnull=True).order_by("id").values_list("pk", flat=True)
    )
    for pk in list(pending[:limit]):
        if not CaseTransition.objects.filter(pk=pk, processed_at__isnull=True).update(processed_at=now):
            continue  # another worker has it
        transition = CaseTransition.objects.select_related("case", "case__category").get(pk=pk)
        users = [u for u in recipients(transition) if u.pk != transition.actor_id]
        if users or transition.action in WEBHOOK_ACTIONS:
            notify(
                users=users,
                event_key=f"case-transition:{pk}",
                title=_title(transition),
                body=transition.reason,
                url=transition.case.get_absolute_url(),
                webhook_payload=_webhook_payload(transition)
                if transition.action in WEBHOOK_ACTIONS
                else None,
                now=now,
            )
        done += 1
    return done


WEBHOOK_ACTIONS = {"intake", "dispatch", "whistle", "supervise", "resolve", "reopen"}


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


def unprocessed() -> Q:
    return Q(processed_at__isnull=True)
