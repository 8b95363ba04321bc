"""System checks (`tongxin check`, and before every start) on the accounts as they are stored:
三权分立, no superuser and the password and second-factor policy in the level-3 profile, usable
passwords on active accounts, Argon2 first."""

import contextlib
from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.db import DatabaseError
from django.db.models import Count, Q

from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.roles import ADMIN_ROLES

LEVEL3_MINIMA = {
    "TONGXIN_PASSWORD_MIN_LENGTH": 8,
    "TONGXIN_PASSWORD_MAX_LENGTH": 64,
    "TONGXIN_PASSWORD_CLASSES": 3,
    "TONGXIN_PASSWORD_HISTORY": 1,
    "TONGXIN_PASSWORD_MAX_AGE_DAYS": 1,
}


def _stored_account_errors() -> list[Error]:
    errors = []
    mixed = (
        RoleAssignment.objects.values("user__username")
        .annotate(admin=Count("id", filter=Q(role__in=ADMIN_ROLES)), roles=Count("role", distinct=True))
        .filter(admin__gt=0, roles__gt=1)
    )
    for row in mixed:
        errors.append(
            Error(
                f"The account {row['user__username']} holds an administrator role with another role "
                "(三权分立: the system, security and audit administrators hold no other role).",
                hint="Revoke the extra roles on the accounts page.",
                id="tongxin.A001",
            )
        )
    active = User.objects.filter(is_active=True)
    if settings.MLPS3:
        # elsewhere the demo's stand-in accounts (no password, never logged in to) are allowed
        unusable = active.filter(Q(password="") | Q(password__startswith="!"))
        for name in unusable.values_list("username", flat=True):
            errors.append(
                Error(
                    f"The active account {name} has no usable password.",
                    hint="Deactivate it, or reset its password from the accounts page.",
                    id="tongxin.A002",
                )
            )
    if settings.MLPS3:
        for name in active.filter(is_superuser=True).values_list("username", flat=True):
            errors.append(
                Error(
                    f"The active account {name} is a superuser; the level-3 profile allows none.",
                    hint="Tongxin needs no superuser: use the three administrator roles.",
                    id="tongxin.A003",
                )
            )
    return errors


@register("security")
def accounts_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    if not settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher"):
        errors.append(Error("Passwords must be hashed with Argon2 first.", id="tongxin.A004"))
    if settings.TONGXIN_SECURITY_PROFILE not in {"demo", "standard", "mlps3"}:
        errors.append(
            Error(
                "TONGXIN_SECURITY_PROFILE must be demo, standard or mlps3.",
                id="tongxin.A005",
            )
        )
    if settings.MLPS3:
        for name, least in LEVEL3_MINIMA.items():
            if getattr(settings, name) < least:
                errors.append(Error(f"The level-3 profile needs {name} ≥ {least}.", id="tongxin.A006"))
        if settings.TONGXIN_MFA_REQUIRED != "officials":
            errors.append(
                Error("The level-3 profile needs TONGXIN_MFA_REQUIRED=officials.", id="tongxin.A007")
            )
    with contextlib.suppress(DatabaseError):  # before the first migrate there is nothing to check
        errors += _stored_account_errors()
    return errors
