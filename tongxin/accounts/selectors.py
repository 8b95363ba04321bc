"""Reads of accounts, always through the security administrator's scope."""

from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.accounts.models import ApiToken, RoleAssignment, User
from tongxin.core.roles import Capability
from tongxin.core.scope import Scope, scope_for
from tongxin.people.selectors import people_visible
from tongxin.regions.models import Level, Region


def accounts_visible(user: Any) -> QuerySet[User]:
    """Accounts with a role, or a person, inside the user's ACCOUNTS_MANAGE scope."""
    scope = scope_for(user, Capability.ACCOUNTS_MANAGE)
    if scope.is_empty:
        return User.objects.none()
    with_role_inside = RoleAssignment.objects.filter(scope.q("region__path")).values("user_id")
    return User.objects.filter(Q(pk__in=with_role_inside) | scope.q("person__region__path")).select_related(
        "person", "person__region"
    )


def account_get(user: Any, pk: Any) -> User:
    """The account, or 404 if it lies outside the user's scope."""
    return get_object_or_404(accounts_visible(user), pk=pk)


def accounts_search(user: Any, query: str = "") -> QuerySet[User]:
    accounts = accounts_visible(user)
    query = query.strip()
    if query:
        accounts = accounts.filter(
            Q(username__icontains=query)
            | Q(person__name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    return accounts.prefetch_related(
        Prefetch(
            "role_assignments", queryset=RoleAssignment.objects.select_related("region").order_by("role")
        )
    ).order_by("username")


def roles_split(account: User, scope: Scope) -> tuple[list[RoleAssignment], int]:
    """The account's roles inside `scope`, and how many more it holds elsewhere (not shown)."""
    inside, outside = [], 0
    for assignment in account.role_assignments.all():
        if scope.contains(assignment.region.path):
            inside.append(assignment)
        else:
            outside += 1
    return inside, outside


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these accounts django-axes is holding locked out right now."""
    if not usernames:
        return set()
    attempts = AccessAttempt.objects.filter(username__in=usernames)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    limit = settings.AXES_FAILURE_LIMIT
    return {
        row["username"]
        for row in attempts.values("username").annotate(failures=Sum("failures_since_start"))
        if row["failures"] >= limit
    }


def failed_logins(username: str) -> int:
    """Failures counted towards the lock-out of this account within the cool-off period."""
    attempts = AccessAttempt.objects.filter(username=username)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def grantable_regions(user: Any) -> QuerySet[Region]:
    """Regions where the user may grant roles (buildings left out: a grid role reaches them)."""
    return (
        Region.objects.filter(scope_for(user, Capability.ACCOUNTS_MANAGE).q("path"))
        .exclude(level=Level.BUILDING)
        .only("id", "name", "code", "depth", "path", "level")
        .order_by("path")
    )


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at")


def token_get(user: Any, pk: Any) -> ApiToken:
    """One of the user's own tokens, or 404."""
    return get_object_or_404(tokens_of(user), pk=pk)


def role_assignment_get(user: Any, account: User, pk: Any) -> RoleAssignment:
    """One of the account's roles held inside the user's scope, or 404."""
    scope = scope_for(user, Capability.ACCOUNTS_MANAGE)
    return get_object_or_404(
        RoleAssignment.objects.select_related("region", "user").filter(scope.q("region__path"), user=account),
        pk=pk,
    )


def people_without_account(user: Any, query: str = "") -> QuerySet[Any]:
    """People in the user's ACCOUNTS_MANAGE scope who have no account yet, by name."""

    people = people_visible(user, capability=Capability.ACCOUNTS_MANAGE).filter(account__isnull=True)
    query = query.strip()
    if query:
        people = people.filter(name__icontains=query)
    return people.select_related("region").order_by("name", "id")
