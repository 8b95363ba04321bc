"""Accounts, roles and API tokens. Role changes are audited and follow 三员分立."""

from datetime import timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.accounts.models import ApiToken, PasswordHistory, RoleAssignment, User
from tongxin.accounts.passwords import one_time_password
from tongxin.accounts.selectors import accounts_visible
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor
from tongxin.core.roles import ADMIN_ROLES, Capability, Role
from tongxin.core.scope import forget_cached_roles, scope_for
from tongxin.regions.models import Region


def user_create(*, username: str, password: str | None, person: Any = None, **extra: Any) -> User:
    user = User(username=username, person=person, **extra)
    if password:
        user.set_password(password)
        user.password_changed_at = timezone.now()
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _password_store(user: User, raw: str, *, one_time: bool) -> None:
    """Keep the old hash in the history, set the new one; a one-time password must be changed."""
    if user.has_usable_password() and user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
        depth = max(int(settings.TONGXIN_PASSWORD_HISTORY), 1)
        stale = user.password_history.values_list("pk", flat=True)[depth:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    user.set_password(raw)
    user.password_changed_at = timezone.now()
    user.must_change_password = one_time
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])


def separation_conflict(held: set[str], role: str) -> bool:
    """三权分立: an administrator role excludes every other role on the same account."""
    others = held - {role}
    if not others:
        return False
    return role in ADMIN_ROLES or bool(others & ADMIN_ROLES)


def _check_separation(user: User, role: str) -> None:
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    if separation_conflict(held, role):
        raise ValidationError(
            {
                "role": [
                    _(
                        "Separation of duties: the system, security and audit administrators hold no "
                        "other role. This account already holds %(roles)s."
                    )
                    % {"roles": "、".join(str(Role(r).label) for r in sorted(held - {role}))}
                ]
            },
            code="separation_of_duties",
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
        User.objects.select_for_update().filter(pk=user.pk).first()  # one grant at a time per account
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
    if created and role in ADMIN_ROLES:
        sessions_end(user)  # an administrator logs in again, through the second factor
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


def token_create(
    *, user: User, name: str, days: int | None = None, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Create an API token that expires after `days` (TONGXIN_TOKEN_DAYS by default); the secret is
    returned once and only its hash is stored."""
    days = settings.TONGXIN_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 366:
        raise ValidationError({"days": [_("A token lasts from 1 to 366 days.")]})
    secret = ApiToken.new_secret()
    expires_at = timezone.now() + timedelta(days=days)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API",
        token_hash=ApiToken.hash(secret),
        prefix=secret[:8],
        expires_at=expires_at,
    )
    audit_record(
        action=Action.TOKEN_CREATED,
        actor=user,
        request=request,
        target=f"token:{token.pk}",
        detail={"expires_at": expires_at.isoformat()},
    )
    return token, secret


@transaction.atomic
def token_rotate(*, token: ApiToken, actor: User, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """A new token with the old one's name; the old one keeps working for the overlap
    (TONGXIN_TOKEN_OVERLAP_HOURS) so the system using it can switch without an outage."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    now = timezone.now()
    if not locked.is_usable(now) or locked.replaced_by_id is not None:
        raise ValidationError(_("This token is revoked, expired or already replaced."))
    new, secret = token_create(user=actor, name=locked.name, request=request)
    overlap_end = now + timedelta(hours=settings.TONGXIN_TOKEN_OVERLAP_HOURS)
    locked.expires_at = min(locked.expires_at, overlap_end) if locked.expires_at else overlap_end
    locked.replaced_by = new
    locked.save(update_fields=["expires_at", "replaced_by"])
    audit_record(
        action=Action.TOKEN_REVOKED,
        actor=actor,
        request=request,
        target=f"token:{locked.pk}",
        detail={"rotated_to": new.pk, "valid_until": locked.expires_at.isoformat()},
    )
    return new, secret


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


def _audit_account(
    action: str, account: User, *, actor: Actor, request: HttpRequest | None = None, **detail: Any
) -> None:
    """One audit row about an account: filed under the account's region, naming it."""
    audit_record(
        action=action,
        actor=actor,
        request=request,
        region=_account_region(account),
        target=f"user:{account.pk}",
        detail={"user": account.username, **detail},
    )


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
    person: Any,
    created_by: User,
    request: HttpRequest | None = None,
    role: str = "",
    region: Region | None = None,
) -> tuple[User, str]:
    """Create an account for a person in the creator's scope, optionally with a first role.

    The creator never chooses the password: a random one-time password is returned once, to be
    handed over in person, and must be changed at the first log-in."""
    if not scope_for(created_by, Capability.ACCOUNTS_MANAGE).contains(person.region.path):
        raise PermissionDenied
    password = one_time_password()
    user = user_create(username=username, password=password, person=person, must_change_password=True)
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
    return user, password


def sessions_end(user: User) -> int:
    """Log the account out everywhere: delete its live server-side sessions; how many."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


@transaction.atomic
def account_password_reset(*, account: User, actor: User, request: HttpRequest | None = None) -> str:
    """An administrator's reset: a new one-time password (returned once), to be changed at the next
    log-in; the account's sessions end. Its second factor stays: a reset never bypasses it."""
    _check_account_in_scope(actor, account)
    if account.pk == actor.pk:
        raise ValidationError(_("Change your own password on your password page."))
    password = one_time_password()
    _password_store(account, password, one_time=True)
    ended = sessions_end(account)
    _audit_account(
        Action.PASSWORD_CHANGED,
        account,
        actor=actor,
        request=request,
        reset_by_administrator=True,
        sessions_ended=ended,
    )
    return password


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
    _audit_account(
        Action.ACCOUNT_ACTIVATED if active else Action.ACCOUNT_DEACTIVATED,
        locked,
        actor=actor,
        request=request,
    )
    if not active:
        sessions_end(locked)  # a deactivated account is logged out at once, everywhere
    forget_cached_roles(locked)
    return locked


def account_unlock(*, account: User, actor: User, request: HttpRequest | None = None) -> int:
    """Lift a log-in lock-out (django-axes) before its cool-off ends; returns the attempts cleared."""
    _check_account_in_scope(actor, account)
    cleared = axes_reset(username=account.username)
    _audit_account(Action.ACCOUNT_UNLOCKED, account, actor=actor, request=request, attempts_cleared=cleared)
    return cleared


def password_change(*, user: User, new_password: str, request: HttpRequest | None = None) -> None:
    """Set the user's own new password (the caller has checked the old one)."""
    _validate_new_password(new_password, user)
    _password_store(user, new_password, one_time=False)
    audit_record(
        action=Action.PASSWORD_CHANGED,
        actor=user,
        request=request,
        region=_account_region(user),
        target=f"user:{user.pk}",
    )


def password_expired(user: User) -> bool:
    """True when the password passed TONGXIN_PASSWORD_MAX_AGE_DAYS (0: passwords do not age)."""
    days = settings.TONGXIN_PASSWORD_MAX_AGE_DAYS
    if not days:
        return False
    changed = user.password_changed_at or user.date_joined
    return changed + timedelta(days=days) <= timezone.now()


# Second factor (TOTP with recovery codes, django-otp)

RECOVERY_CODES = 10


def mfa_required(user: Any) -> bool:
    """Whether this account must log in with a second factor (TONGXIN_MFA_REQUIRED)."""
    policy = settings.TONGXIN_MFA_REQUIRED
    if policy == "none" or not getattr(user, "is_authenticated", False):
        return False
    if policy == "officials":
        return True
    return RoleAssignment.objects.filter(user_id=user.pk, role__in=ADMIN_ROLES).exists()


def mfa_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def totp_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the enrolment page (an earlier unconfirmed one goes)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


@transaction.atomic
def totp_confirm(
    *, user: User, device: TOTPDevice, code: str, request: HttpRequest | None = None
) -> list[str]:
    """Confirm the authenticator with one code; returns ten recovery codes, shown once.
    The account's earlier authenticator and recovery codes are replaced."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(code.strip().replace(" ", "")):
        raise ValidationError({"code": [_("The code is wrong or has expired. Enter the code shown now.")]})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=user,
        request=request,
        region=_account_region(user),
        target=f"user:{user.pk}",
        detail={"second_factor": "enrolled", "recovery_codes": RECOVERY_CODES},
    )
    return codes


def mfa_verify(*, user: User, code: str) -> Any:
    """The device that accepts `code` (a TOTP code not used before, or an unused recovery code,
    which is spent), or None."""
    code = code.strip().replace(" ", "")
    if not code:
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code.lower()):
            return device
    return None


@transaction.atomic
def mfa_reset(*, account: User, actor: User, request: HttpRequest | None = None) -> None:
    """An administrator removes a lost authenticator: the account enrols again at its next log-in
    (after its password), and is logged out now."""
    _check_account_in_scope(actor, account)
    if account.pk == actor.pk:
        raise ValidationError(_("Nobody may reset their own second factor."))
    removed = TOTPDevice.objects.filter(user=account).delete()[0]
    StaticDevice.objects.filter(user=account).delete()
    sessions_end(account)
    _audit_account(
        Action.RECORD_CHANGED,
        account,
        actor=actor,
        request=request,
        second_factor="reset",
        devices_removed=removed,
    )


def accounts_disable_inactive(*, now: Any = None) -> list[str]:
    """Deactivate accounts unused for TONGXIN_ACCOUNT_INACTIVE_DAYS (0: never); their names."""
    days = settings.TONGXIN_ACCOUNT_INACTIVE_DAYS
    if not days:
        return []
    cutoff = (now or timezone.now()) - timedelta(days=days)
    stale = (
        User.objects.filter(is_active=True).exclude(last_login__gte=cutoff).exclude(date_joined__gte=cutoff)
    )
    names = []
    for account in stale:
        User.objects.filter(pk=account.pk, is_active=True).update(is_active=False)
        sessions_end(account)
        audit_record(
            action=Action.ACCOUNT_DEACTIVATED,
            username="system",
            region=_account_region(account),
            target=f"user:{account.pk}",
            detail={"user": account.username, "inactive_days": days},
        )
        names.append(account.username)
    return names
