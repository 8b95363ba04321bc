"""The notifier: works through case transitions not yet processed (the outbox)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import RoleAssignment, User
from tongxin.cases.models import Case, CaseTransition, Whistle
from tongxin.cases.workflow import Audience, rule_for
from tongxin.core.roles import ROLE_CAPABILITIES, Capability
from tongxin.notifications.services import notify


def _roles_with(capability: str) -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]


def _officials_at(region_ids: list[int], capability: str) -> list[User]:
    """Accounts holding `capability` exactly at these nodes (not everyone above them)."""
    user_ids = RoleAssignment.objects.filter(
        region_id__in=region_ids, role__in=_roles_with(capability)
    ).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def _handlers(transition: CaseTransition) -> list[User]:
    """Who held the case right after the transition (recorded on the row: the case may have moved
    on by the time the notifier runs)."""
    user_id, responder_id = transition.data.get("held_by_user"), transition.data.get("held_by_responder")
    users = list(User.objects.filter(pk=user_id, is_active=True)) if user_id else []
    if responder_id:
        users += list(User.objects.filter(responders__pk=responder_id, is_active=True))
    return users


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


def _whistled(transition: CaseTransition) -> list[User]:
    whistle = (
        Whistle.objects.filter(case_id=transition.case_id, whistled_at=transition.at).order_by("-id").first()
    )
    if whistle is None:
        return []
    if whistle.to_responder_id:
        return list(User.objects.filter(responders__pk=whistle.to_responder_id, is_active=True))
    return _officials_at([whistle.to_region_id], Capability.CASES_MANAGE)  # type: ignore[list-item]


def _supervisors(case: Case) -> list[User]:
    ids = case.supervisions.filter(by__isnull=False).values("by_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _community_managers(case: Case) -> list[User]:
    return _officials_at([case.community_id], Capability.CASES_MANAGE)


def _verifiers(transition: CaseTransition) -> list[User]:
    case = transition.case
    grid = [case.grid_id] if case.grid_id else []
    return _officials_at([*grid, case.community_id], Capability.CASES_VERIFY)


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


def outbox_process(*, now: datetime | None = None, limit: int = 500) -> int:
    """Notify for each unprocessed transition exactly once.

    The claim (a conditional update) and the inbox/delivery rows it produces commit together: a
    worker that dies half-way leaves the transition unclaimed for the next pass, and a second
    worker racing for the same row waits on the first one's claim, then finds it taken.
    E-mail and webhooks go out later from the deliveries (notifications.send), never in here.
    """
    now = now or timezone.now()
    done = 0
    pending = (
        CaseTransition.objects.filter(processed_at__isnull=True).order_by("id").values_list("pk", flat=True)
    )
    for pk in list(pending[:limit]):
        with transaction.atomic():
            if not CaseTransition.objects.filter(pk=pk, processed_at__isnull=True).update(processed_at=now):
                continue  # another worker has it
            _notify(CaseTransition.objects.select_related("case", "case__category").get(pk=pk), now)
        done += 1
    return done


def _notify(transition: CaseTransition, now: datetime) -> None:
    users = [u for u in recipients(transition) if u.pk != transition.actor_id]
    rule = rule_for(transition.action)
    webhook = rule is not None and rule.webhook
    if users or webhook:
        notify(
            users=users,
            event_key=f"case-transition:{transition.pk}",
            title=_title(transition),
            body=transition.reason,
            url=transition.case.get_absolute_url(),
            webhook_payload=_webhook_payload(transition) if webhook else None,
            now=now,
        )


def outbox_mark_processed(*, before: datetime) -> int:
    """Mark old transitions as notified without notifying (demo data, imports of history)."""
    return CaseTransition.objects.filter(processed_at__isnull=True, at__lt=before).update(processed_at=before)


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
