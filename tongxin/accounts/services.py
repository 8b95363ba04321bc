"""Accounts, roles and API tokens. Role changes are audited and follow 三员分立."""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import ApiToken, RoleAssignment, User
from tongxin.accounts.selectors import accounts_visible
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.roles import ADMIN_ROLES, Capability, Role
from tongxin.core.scope import forget_cached_roles, scope_for
from tongxin.regions.models import Region


def user_create(*, username: str, password: str | None, person: Any = None, **extra: Any) -> User:
    user = User(username=username, person=person, **extra)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _check_separation(user: User, role: str) -> None:
    """The system, security and audit administrators are three different people."""
    if role not in ADMIN_ROLES:
        return
    held = set(RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES).values_list("role", flat=True))
    if held - {role}:
        raise ValidationError(
            {"role": [_("One account cannot be system, security and audit administrator at once.")]}
        )


def role_grant(
    *, user: User, role: str, region: Region, granted_by: User | None, request: HttpRequest | None = None
) -> RoleAssignment:
    """Grant `role` at `region`. `granted_by` None means the system itself (setup, demo data)."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    if granted_by is not None:
        # checked before the transaction, so the record of a refused grant is not rolled back
        if not scope_for(granted_by, Capability.ACCOUNTS_MANAGE).contains(region.path):
            audit_record(
                action=Action.ROLE_GRANTED,
                actor=granted_by,
                request=request,
                region=region,
                target=f"user:{user.pk}",
                outcome="denied",
                detail={"role": role},
            )
            raise PermissionDenied
        if granted_by.pk == user.pk:
            raise ValidationError({"user": [_("Nobody may grant roles to themself.")]})
    with transaction.atomic():
        _check_separation(user, role)
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, region=region, defaults={"granted_by": granted_by}
        )
        if created:
            audit_record(
                action=Action.ROLE_GRANTED,
                actor=granted_by,
                username="system",
                request=request,
                region=region,
                target=f"user:{user.pk}",
                detail={"role": role, "user": user.username},
            )
    forget_cached_roles(user)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, revoked_by: User, request: HttpRequest | None = None) -> None:
    if not scope_for(revoked_by, Capability.ACCOUNTS_MANAGE).contains(assignment.region.path):
        raise PermissionDenied
    if revoked_by.pk == assignment.user_id:
        raise ValidationError(_("Nobody may change their own roles."))
    audit_record(
        action=Action.ROLE_REVOKED,
        actor=revoked_by,
        request=request,
        region=assignment.region,
        target=f"user:{assignment.user_id}",
        detail={"role": assignment.role, "user": assignment.user.username},
    )
    assignment.delete()


def token_create(*, user: User, name: str, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """Create an API token; the secret is returned once and only its hash is stored."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API", token_hash=ApiToken.hash(secret), prefix=secret[:8]
    )
    audit_record(action=Action.TOKEN_CREATED, actor=user, request=request, target=f"token:{token.pk}")
    return token, secret


def token_revoke(*, token: ApiToken, actor: User, request: HttpRequest | None = None) -> None:
    if token.user_id != actor.pk:
        raise PermissionDenied
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(action=Action.TOKEN_REVOKED, actor=actor, request=request, target=f"token:{token.pk}")


# Account life cycle, for the security administrator's pages (appended).


def _account_region(account: User) -> Region | None:
    """Where an account's events are filed in the audit trail: its person's home region."""
    person = account.person
    return person.region if person is not None else None


def _check_account_in_scope(actor: User, account: User) -> None:

    if not accounts_visible(actor).filter(pk=account.pk).exists():
        raise PermissionDenied


def _validate_new_password(password: str, account: User) -> None:

    try:
        validate_password(password, user=account)
    except ValidationError as e:
        raise ValidationError({"password": e.messages})


@transaction.atomic
def account_create(
    *,
    username: str,
    password: str,
    person: Any,
    created_by: User,
    request: HttpRequest | None = None,
    role: str = "",
    region: Region | None = None,
) -> User:
    """Create an account for a person in the creator's scope, optionally with a first role."""
    if not scope_for(created_by, Capability.ACCOUNTS_MANAGE).contains(person.region.path):
        raise PermissionDenied
    _validate_new_password(password, User(username=username, person=person))
    user = user_create(username=username, password=password, person=person)
    audit_record(
        action=Action.ACCOUNT_CREATED,
        actor=created_by,
        request=request,
        region=person.region,
        target=f"user:{user.pk}",
        detail={"user": user.username},
    )
    if role:
        if region is None:
            raise ValidationError({"region": [_("Choose where the role applies.")]})
        role_grant(user=user, role=role, region=region, granted_by=created_by, request=request)
    return user


@transaction.atomic
def account_set_active(
    *, account: User, active: bool, actor: User, request: HttpRequest | None = None
) -> User:
    """Deactivate (no log-in, no API token) or reactivate an account."""
    _check_account_in_scope(actor, account)
    if account.pk == actor.pk:
        raise ValidationError(_("Nobody may deactivate or reactivate their own account."))
    scope = scope_for(actor, Capability.ACCOUNTS_MANAGE)
    held_at = account.role_assignments.values_list("region__path", flat=True)
    if any(not scope.contains(path) for path in held_at):
        raise ValidationError(
            _(
                "This account also holds roles outside your part of the region tree; "
                "ask a security administrator above you."
            )
        )
    locked = User.objects.select_for_update(of=("self",)).get(pk=account.pk)
    if locked.is_active == active:
        return locked
    User.objects.filter(pk=locked.pk).update(is_active=active)
    locked.is_active = active
    audit_record(
        action=Action.ACCOUNT_ACTIVATED if active else Action.ACCOUNT_DEACTIVATED,
        actor=actor,
        request=request,
        region=_account_region(locked),
        target=f"user:{locked.pk}",
        detail={"user": locked.username},
    )
    forget_cached_roles(locked)
    return locked


def account_unlock(*, account: User, actor: User, request: HttpRequest | None = None) -> int:
    """Lift a log-in lock-out (django-axes) before its cool-off ends; returns the attempts cleared."""
    from axes.utils import reset

    _check_account_in_scope(actor, account)
    cleared = reset(username=account.username)
    audit_record(
        action=Action.ACCOUNT_UNLOCKED,
        actor=actor,
        request=request,
        region=_account_region(account),
        target=f"user:{account.pk}",
        detail={"user": account.username, "attempts_cleared": cleared},
    )
    return cleared


def password_change(*, user: User, new_password: str, request: HttpRequest | None = None) -> None:
    """Set the user's own new password (the caller has checked the old one)."""
    _validate_new_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(
        action=Action.PASSWORD_CHANGED,
        actor=user,
        request=request,
        region=_account_region(user),
        target=f"user:{user.pk}",
    )
