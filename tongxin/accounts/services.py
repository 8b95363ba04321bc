"""Accounts, roles and API tokens. Role changes are audited and follow 三员分立."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import ApiToken, RoleAssignment, User
from tongxin.accounts.roles import ADMIN_ROLES, Capability, Role
from tongxin.accounts.scope import forget_cached_roles, scope_for
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
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


@transaction.atomic
def role_grant(
    *, user: User, role: str, region: Region, granted_by: User | None, request: HttpRequest | None = None
) -> RoleAssignment:
    """Grant `role` at `region`. `granted_by` None means the system itself (setup, demo data)."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    if granted_by is not None:
        if not scope_for(granted_by, Capability.ACCOUNTS_MANAGE).contains(region.path):
            audit_record(
                action=Action.ROLE_GRANTED, actor=granted_by, request=request, region=region,
                target=f"user:{user.pk}", outcome="denied", detail={"role": role},
            )
            raise PermissionDenied
        if granted_by.pk == user.pk:
            raise ValidationError({"user": [_("Nobody may grant roles to themself.")]})
    _check_separation(user, role)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, region=region, defaults={"granted_by": granted_by}
    )
    if created:
        audit_record(
            action=Action.ROLE_GRANTED, actor=granted_by, username="system", request=request, region=region,
            target=f"user:{user.pk}", detail={"role": role, "user": user.username},
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
        action=Action.ROLE_REVOKED, actor=revoked_by, request=request, region=assignment.region,
        target=f"user:{assignment.user_id}", detail={"role": assignment.role, "user": assignment.user.username},
    )
    assignment.delete()


def token_create(*, user: User, name: str, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """Create an API token; the secret is returned once and only its hash is stored."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(user=user, name=name.strip() or "API", token_hash=ApiToken.hash(secret), prefix=secret[:8])
    audit_record(action=Action.TOKEN_CREATED, actor=user, request=request, target=f"token:{token.pk}")
    return token, secret


def token_revoke(*, token: ApiToken, actor: User, request: HttpRequest | None = None) -> None:
    if token.user_id != actor.pk:
        raise PermissionDenied
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(action=Action.TOKEN_REVOKED, actor=actor, request=request, target=f"token:{token.pk}")
