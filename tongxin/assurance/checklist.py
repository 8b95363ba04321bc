"""The 37 rows of the security and privacy checklist (SECURITY.md: 等保 2.0 level 3, PIPL, ASVS 5.0)
and their state on this installation.

A row is proven by the tests it names (run by `make test`; a test in this app checks they exist);
where the installation decides (TLS, the database, the profile, the accounts that exist), a check
reads the settings and the database and says whether the row holds here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.accounts.models import RoleAssignment, User
from tongxin.assurance.backups import drill_interval, drill_overdue, failed_checks, last_drill
from tongxin.assurance.models import RestoreDrill
from tongxin.audit.models import AuditCheckpoint, AuditEvent
from tongxin.audit.trail import checkpoints_read
from tongxin.core.roles import Role

ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)


class State(StrEnum):
    HOLDS = "holds"  # built in and proven by tests; nothing on this installation breaks it
    NOT_CONFIGURED = "not_configured"  # proven, but this installation has not switched it on
    FAILING = "failing"  # something on this installation breaks the row now
    DOCUMENT = "document"  # the row is a document; a test checks it is there


STATE_LABELS: dict[State, Promise] = {
    State.HOLDS: pgettext_lazy("security checklist state", "Holds"),
    State.NOT_CONFIGURED: pgettext_lazy("security checklist state", "Not configured"),
    State.FAILING: pgettext_lazy("security checklist state", "Failing"),
    State.DOCUMENT: pgettext_lazy("security checklist state", "Document"),
}


@dataclass(frozen=True)
class Finding:
    state: State
    detail: Promise | str = ""


Check = Callable[[], Finding]


def _holds(detail: Promise | str = "") -> Finding:
    return Finding(State.HOLDS, detail)


PROFILE_LABELS: dict[str, Promise] = {
    "demo": pgettext_lazy("security profile", "demo"),
    "standard": pgettext_lazy("security profile", "standard"),
    "mlps3": pgettext_lazy("security profile", "等保 level 3"),
}


def _profile_label(profile: str) -> Promise | str:
    return PROFILE_LABELS.get(profile, profile)


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@dataclass(frozen=True)
class Row:
    number: int
    requirement: Promise
    source: str  # the clauses of the standards (GB/T 22239-2019, PIPL, GB/T 35273, ASVS)
    proofs: tuple[str, ...]  # tests: "path/to/test_file.py" or "path/to/test_file.py::test_name"
    check: Check | None = None
    document: bool = False

    def finding(self) -> Finding:
        if self.check is not None:
            return self.check()
        return Finding(State.DOCUMENT) if self.document else _holds()


# ---- the checks of this installation -------------------------------------------------------------


def _no_empty_passwords() -> Finding:
    bad = [
        u.username
        for u in User.objects.filter(is_active=True).only("username", "password")
        if not u.has_usable_password()
    ]
    if bad:
        return Finding(
            State.FAILING, _("Active accounts without a usable password: %(n)d.") % {"n": len(bad)}
        )
    return _holds(_("Every active account has a usable password."))


def _no_default_passwords() -> Finding:
    if getattr(settings, "TONGXIN_SECURITY_PROFILE", "standard") == "demo":
        return Finding(
            State.FAILING, _("Demo profile: the demo's accounts share the password published with it.")
        )
    return _holds(_("Every account starts with a one-time password changed at its first log-in."))


def _inactive_accounts() -> Finding:
    days = getattr(settings, "TONGXIN_ACCOUNT_INACTIVE_DAYS", 0)
    if not days:
        return Finding(State.NOT_CONFIGURED, _("Unused accounts are never deactivated automatically."))
    return _holds(_("Accounts unused for %(n)d days are deactivated every night.") % {"n": days})


def _password_policy() -> Finding:
    length = getattr(settings, "TONGXIN_PASSWORD_MIN_LENGTH", 8)
    classes = getattr(settings, "TONGXIN_PASSWORD_CLASSES", 0)
    age = getattr(settings, "TONGXIN_PASSWORD_MAX_AGE_DAYS", 0)
    parts = [
        _("at least %(n)d characters") % {"n": length},
        _("a mix of %(n)d kinds of characters") % {"n": classes} if classes else _("no mix required"),
        _("changed every %(n)d days") % {"n": age} if age else _("no maximum age"),
    ]
    detail = _("Passwords: %(parts)s.") % {"parts": _("; ").join(str(p) for p in parts)}
    if length < 8:
        return Finding(State.FAILING, detail)
    if not classes or not age:
        return Finding(State.NOT_CONFIGURED, detail)
    return _holds(detail)


def _lockout() -> Finding:
    limit = getattr(settings, "AXES_FAILURE_LIMIT", 0)
    if not limit:
        return Finding(State.FAILING, _("Log-in lock-out is off."))
    return _holds(_("Locked after %(n)d failures from one address.") % {"n": limit})


def _sessions() -> Finding:
    minutes = settings.SESSION_COOKIE_AGE // 60
    detail = _("Idle timeout %(n)d minutes.") % {"n": minutes}
    return _holds(detail) if minutes <= 30 else Finding(State.NOT_CONFIGURED, detail)


def _second_factor() -> Finding:
    required = getattr(settings, "TONGXIN_MFA_REQUIRED", "none")
    if required == "officials":
        return _holds(_("Required for every official."))
    if required == "admins":
        return Finding(State.NOT_CONFIGURED, _("Required for the three administrators only."))
    return Finding(State.FAILING, _("Not required of anyone (demo profile)."))


def _transport() -> Finding:
    if not getattr(settings, "TONGXIN_TLS", False):
        return Finding(State.NOT_CONFIGURED, _("TLS is off: set TONGXIN_TLS behind an HTTPS proxy."))
    if not (settings.SESSION_COOKIE_SECURE and int(getattr(settings, "SECURE_HSTS_SECONDS", 0))):
        return Finding(State.FAILING, _("TLS is on, but secure cookies or HSTS are not."))
    return _holds(_("HTTPS only, with HSTS and secure cookies."))


def _admin_separation() -> Finding:
    superusers = User.objects.filter(is_active=True, is_superuser=True).count()
    admins = RoleAssignment.objects.filter(role__in=ADMIN_ROLES).values("user_id")
    # an administrator with any second role: two distinct roles on one account, one of them an admin's
    mixed = (
        RoleAssignment.objects.filter(user_id__in=admins)
        .values("user_id")
        .annotate(roles=Count("role", distinct=True))
        .filter(roles__gt=1)
        .count()
    )
    if superusers or mixed:
        return Finding(
            State.FAILING,
            _("Superusers: %(s)d; administrators holding another role: %(m)d.")
            % {"s": superusers, "m": mixed},
        )
    return _holds(_("No superuser; each administrator holds that role alone."))


def _audit_chain() -> Finding:
    """The hourly walk of the keyed chain, and the newest signed checkpoint against the table: a
    trimmed tail (the newest events deleted) leaves the chain intact but not the checkpoint."""
    checkpoint = AuditCheckpoint.objects.filter(pk=1).first()
    if checkpoint is not None and checkpoint.broken_at is not None:
        return Finding(
            State.FAILING, _("The audit chain breaks at event #%(id)d.") % {"id": checkpoint.broken_at}
        )
    entries, problems = checkpoints_read()
    if problems:
        return Finding(State.FAILING, _("A line of the signed checkpoint file is forged or edited."))
    signed = [entry for entry in entries if entry.get("kind") == "checkpoint"]
    if not signed:
        if AuditEvent.objects.exists():
            return Finding(
                State.FAILING,
                _(
                    "No signed checkpoint yet, so deleting the newest events would go unnoticed: "
                    "is the worker running?"
                ),
            )
        return _holds(_("No audit event yet."))
    newest = signed[-1]
    archived_up_to = checkpoint.archived_up_to if checkpoint is not None else 0
    if newest["last_id"] > archived_up_to:
        seen = AuditEvent.objects.filter(pk=newest["last_id"]).values_list("hash", flat=True).first()
        if seen != newest["last_hash"]:
            return Finding(
                State.FAILING,
                _("Event #%(id)d, signed in a checkpoint, is missing or changed: the trail was trimmed.")
                % {"id": newest["last_id"]},
            )
    at = datetime.fromisoformat(newest["at"])
    interval = int(getattr(settings, "TONGXIN_AUDIT_CHECKPOINT_MINUTES", 15))
    if timezone.now() - at > timedelta(minutes=max(2 * interval, 60)):
        return Finding(
            State.FAILING,
            _("The last signed checkpoint is from %(when)s: is the worker running?") % {"when": _when(at)},
        )
    return _holds(
        _("The audit chain checks out; the last signed checkpoint is from %(when)s.") % {"when": _when(at)}
    )


def _retention() -> Finding:
    days = getattr(settings, "TONGXIN_AUDIT_RETENTION_DAYS", 0)
    detail = _("Audit events kept %(n)d days.") % {"n": days}
    if days < 180:
        return Finding(State.FAILING, detail)
    if not getattr(settings, "TONGXIN_AUDIT_SYSLOG", ""):
        return Finding(
            State.NOT_CONFIGURED,
            _(
                "Audit events kept %(n)d days; checkpoints are not sent to a central log server "
                "(TONGXIN_AUDIT_SYSLOG)."
            )
            % {"n": days},
        )
    return _holds(
        _("Audit events kept %(n)d days; checkpoints also go to the central log server.") % {"n": days}
    )


def _national_algorithms() -> Finding:
    if getattr(settings, "TONGXIN_CRYPTO_PROFILE", "standard") == "national":
        return _holds(_("Personal data encrypted with SM4; the audit chain keyed with HMAC-SM3."))
    return Finding(
        State.NOT_CONFIGURED,
        _("Personal data encrypted with Fernet (AES); set the national profile for SM4."),
    )


def _argon2() -> Finding:
    if settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher"):
        return _holds(_("New passwords are hashed with Argon2."))
    return Finding(State.FAILING, _("The first password hasher is not Argon2."))


def _database() -> Finding:
    """Row 21: a restore drill passed within the interval, on PostgreSQL; WAL archiving to another
    place and the standby are the operator's server configuration (docs/configuration.md)."""
    drill = last_drill()
    if drill is None:
        return Finding(
            State.NOT_CONFIGURED,
            _("No restore drill has run: run tongxin backup, then tongxin restore_drill."),
        )
    if drill.outcome != RestoreDrill.Outcome.PASSED:
        return Finding(
            State.FAILING,
            _("The last restore drill (%(when)s) failed: %(checks)s (tongxin restore_drill says why).")
            % {
                "when": _when(drill.started_at),
                "checks": _("; ").join(str(c) for c in failed_checks(drill)) or "—",
            },
        )
    if drill_overdue(drill):
        return Finding(
            State.FAILING,
            _("The last restore drill passed on %(when)s: overdue (one every %(days)s days).")
            % {"when": _when(drill.started_at), "days": drill_interval().days},
        )
    if connection.vendor != "postgresql" or drill.vendor != "postgresql":
        return Finding(
            State.NOT_CONFIGURED,
            _("A restore drill passed on %(when)s, but on SQLite: level 3 needs PostgreSQL.")
            % {"when": _when(drill.started_at)},
        )
    return _holds(
        _(
            "PostgreSQL; a restore drill passed on %(when)s. WAL archiving to another place and the "
            "hot standby are the operator's server configuration."
        )
        % {"when": _when(drill.started_at)}
    )


def _headers() -> Finding:
    if "tongxin.core.middleware.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE:
        return _holds(_("Content security policy with a nonce, frames denied, no external hosts."))
    return Finding(State.FAILING, _("The content security policy is not installed."))


def _profile() -> Finding:
    profile = getattr(settings, "TONGXIN_SECURITY_PROFILE", "standard")
    if settings.DEBUG:
        return Finding(State.FAILING, _("DEBUG is on."))
    if profile != "mlps3":
        return Finding(
            State.NOT_CONFIGURED,
            _("Security profile: %(p)s (level 3 needs the 等保 level-3 profile).")
            % {"p": _profile_label(profile)},
        )
    return _holds(_("The level-3 profile is on."))


ROWS: tuple[Row, ...] = (
    Row(
        1,
        _("Unique user identifiers; no empty or unusable passwords on active accounts"),
        "GB/T 22239 8.1.4.1a",
        (
            "tongxin/accounts/tests/test_separation.py"
            "::test_the_system_check_refuses_an_active_account_without_a_usable_password",
            "tongxin/assurance/tests/test_checklist.py"
            "::test_an_active_account_without_a_usable_password_fails_row_1",
        ),
        _no_empty_passwords,
    ),
    Row(
        2,
        _("Password policy: length, common passwords, composition and maximum age"),
        "GB/T 22239 8.1.4.1a; ASVS 6.2.1/6.2.4/6.2.9",
        (
            "tongxin/accounts/tests/test_passwords.py::test_guessable_passwords_are_refused_in_every_profile",
            "tongxin/accounts/tests/test_passwords.py"
            "::test_composition_three_of_four_classes_in_the_level3_profile",
            "tongxin/accounts/tests/test_passwords.py"
            "::test_an_expired_password_forces_a_change_at_next_login",
            "tongxin/accounts/tests/test_passwords.py::test_history_refuses_the_last_passwords",
        ),
        _password_policy,
    ),
    Row(
        3,
        _("Lock-out after repeated failures, with cool-off or unlock; audited; no user enumeration"),
        "GB/T 22239 8.1.4.1b; ASVS 6.1.1/6.3.1",
        (
            "tongxin/accounts/tests/test_login_defences.py"
            "::test_lock_is_per_account_and_address_with_a_cool_off",
            "tongxin/accounts/tests/test_login_defences.py::test_throttle_per_address_across_account_names",
            "tongxin/accounts/tests/test_login_defences.py::test_no_enumeration_same_answer_and_similar_time",
        ),
        _lockout,
    ),
    Row(
        4,
        _("Idle timeout and absolute session lifetime; server-side log-out; sessions end on disable"),
        "GB/T 22239 8.1.4.1b; ASVS 7.3.1/7.3.2/7.4.1/7.4.2",
        (
            "tongxin/accounts/tests/test_login_defences.py::test_idle_timeout_is_server_side",
            "tongxin/accounts/tests/test_login_defences.py::test_absolute_session_lifetime",
            "tongxin/accounts/tests/test_login_defences.py"
            "::test_logout_deletes_the_server_side_session_and_the_cookie_is_dead",
            "tongxin/accounts/tests/test_login_defences.py"
            "::test_deactivating_an_account_kills_its_live_sessions",
        ),
        _sessions,
    ),
    Row(
        5,
        _("Second factor for every official, mandatory for the administrators; a reset cannot bypass it"),
        "GB/T 22239 8.1.4.1d; ASVS 6.3.2/6.4.3/6.5.1/6.5.5",
        (
            "tongxin/accounts/tests/test_mfa.py"
            "::test_an_administrator_reaches_nothing_but_enrolment_until_enrolled",
            "tongxin/accounts/tests/test_mfa.py::test_login_asks_for_the_code_after_the_password",
            "tongxin/accounts/tests/test_mfa.py::test_a_password_reset_never_bypasses_the_second_factor",
        ),
        _second_factor,
    ),
    Row(
        6,
        _("HTTPS only, HSTS, secure and HttpOnly cookies, no credentials or personal data in URLs"),
        "GB/T 22239 8.1.4.1c, 8.1.4.8a; ASVS 14.2.1",
        (
            "tongxin/core/tests/test_operations.py::test_hsts_and_the_https_redirect_when_tls_is_on",
            "tongxin/core/tests/test_operations.py::test_check_deploy_fails_without_tls",
            "tongxin/core/tests/test_operations.py::test_the_level3_profile_refuses_plain_http",
        ),
        _transport,
    ),
    Row(
        7,
        _("No default accounts or passwords; the first administrator gets a one-time password"),
        "GB/T 22239 8.1.4.2b; ASVS 6.4.1",
        (
            "tongxin/accounts/tests/test_passwords.py::test_a_fresh_install_has_no_account_until_createadmin",
            "tongxin/accounts/tests/test_passwords.py"
            "::test_a_new_account_gets_a_one_time_password_it_must_change_first",
            "tongxin/assurance/tests/test_checklist.py::test_the_demo_profile_fails_row_7",
        ),
        _no_default_passwords,
    ),
    Row(
        8,
        _("Inactive or expired accounts are disabled automatically"),
        "GB/T 22239 8.1.4.2c",
        (
            "tongxin/accounts/tests/test_passwords.py::test_inactive_accounts_are_disabled_by_the_job",
            "tongxin/assurance/tests/test_checklist.py::test_row_8_follows_the_inactivity_setting",
        ),
        _inactive_accounts,
    ),
    Row(
        9,
        _("Separation of duties: the three administrators are exclusive; no superuser"),
        "GB/T 22239 8.1.4.2d, 8.1.5.1–8.1.5.3",
        (
            "tongxin/accounts/tests/test_separation.py::test_an_administrator_role_excludes_every_other_role",
            "tongxin/accounts/tests/test_separation.py::test_each_administrator_is_refused_the_others_work",
            "tongxin/accounts/tests/test_separation.py"
            "::test_the_system_check_refuses_a_superuser_in_the_level3_profile",
        ),
        _admin_separation,
    ),
    Row(
        10,
        _("Deny by default: every URL declares its permission; only the security administrator grants"),
        "GB/T 22239 8.1.4.2a/e; ASVS 8.2.1",
        (
            "tongxin/core/tests/test_access.py::test_every_view_declares_its_access",
            "tongxin/core/tests/test_access.py::test_every_api_operation_requires_auth_unless_listed_public",
            "tongxin/accounts/tests/test_separation.py::test_each_administrator_is_refused_the_others_work",
        ),
    ),
    Row(
        11,
        _("Every read, write, list, figure and export is limited to the official's part of the tree"),
        "GB/T 22239 8.1.4.2e/f; ASVS 8.2.2/8.4.1",
        (
            "tongxin/core/tests/test_scope_property.py",
            "tongxin/members/tests/test_card_scope.py::test_pages_export_and_api_refuse_the_parent_committee",
        ),
    ),
    Row(
        12,
        _("Field-level authorisation and labels for sensitive records"),
        "GB/T 22239 8.1.4.2f/g; ASVS 8.2.3",
        (
            "tongxin/people/tests/test_views.py::test_list_hides_reveal_without_capability",
            "tongxin/people/tests/test_views.py::test_reveal_denied_without_capability",
        ),
    ),
    Row(
        13,
        _("The audit covers every user and every important event"),
        "GB/T 22239 8.1.4.3a; ASVS 16.3.1–16.3.4",
        (
            "tongxin/audit/tests/test_audit.py",
            "tongxin/demo/tests/test_audited_edits.py",
            "tongxin/demo/tests/test_status_changes.py",
        ),
    ),
    Row(
        14,
        _("Audit records: time, user, region, address, type, object, outcome; no plain personal data"),
        "GB/T 22239 8.1.4.3b; ASVS 16.2.1/16.2.2/16.2.5",
        (
            "tongxin/audit/tests/test_audit.py",
            "tongxin/people/tests/test_api.py::test_reveal_needs_a_purpose",
            "tongxin/lib/tests/test_secrets.py::test_tokens_are_redacted",
        ),
    ),
    Row(
        15,
        _("The audit trail is append-only and tamper-evident (keyed chain), with checkpoints kept elsewhere"),
        "GB/T 22239 8.1.4.3c; ASVS 16.4.2/16.4.3",
        (
            "tongxin/audit/tests/test_trail.py::test_a_chain_rebuilt_without_the_key_is_detected",
            "tongxin/audit/tests/test_trail.py::test_a_truncated_tail_is_detected_by_the_signed_checkpoint",
            "tongxin/audit/tests/test_postgres.py"
            "::test_the_application_role_cannot_update_delete_or_truncate",
            "tongxin/assurance/tests/test_checklist.py::test_a_trimmed_trail_or_no_checkpoint_fails_row_15",
        ),
        _audit_chain,
    ),
    Row(
        16,
        _("Auditing cannot be stopped; an audit failure fails the operation"),
        "GB/T 22239 8.1.4.3d; ASVS 16.5.3",
        ("tongxin/audit/tests/test_trail.py::test_an_audit_write_failure_fails_the_operation",),
    ),
    Row(
        17,
        _("Audit and security logs kept at least 180 days"),
        "网络安全法 21(3); GB/T 22239 8.1.5.4",
        (
            "tongxin/audit/tests/test_trail.py"
            "::test_archiving_never_touches_events_younger_than_the_retention",
            "tongxin/audit/tests/test_trail.py::test_retention_below_180_days_fails_the_system_check",
            "tongxin/audit/tests/test_trail.py::test_the_worker_writes_checkpoints_and_syslog_gets_them",
            "tongxin/assurance/tests/test_checklist.py::test_a_short_audit_retention_fails_row_17",
        ),
        _retention,
    ),
    Row(
        18,
        _("Integrity of important data (case history, configuration) by a keyed hash"),
        "GB/T 22239 8.1.4.7b; GB/T 39786 8.4",
        (
            "tongxin/audit/tests/test_integrity.py"
            "::test_a_row_changed_behind_the_applications_back_is_reported",
            "tongxin/audit/tests/test_integrity.py"
            "::test_a_row_deleted_behind_the_applications_back_is_reported",
            "tongxin/audit/tests/test_integrity.py"
            "::test_a_seal_made_again_without_the_key_does_not_check_out",
        ),
    ),
    Row(
        19,
        _("Sensitive personal data encrypted at rest, keys outside the database, rotation"),
        "GB/T 22239 8.1.4.8b; PIPL 51(3); GB/T 39786 8.4",
        (
            "tongxin/audit/tests/test_field_keys.py"
            "::test_rotation_reencrypts_and_keeps_old_ciphertext_readable_until_retired",
            "tongxin/audit/tests/test_field_keys.py"
            "::test_switching_to_the_national_profile_reencrypts_with_sm4",
        ),
        _national_algorithms,
    ),
    Row(
        20,
        _("Passwords hashed with Argon2"),
        "ASVS V11",
        ("tongxin/accounts/tests/test_separation.py::test_the_system_check_wants_argon2_first",),
        _argon2,
    ),
    Row(
        21,
        _("Backup and restore drills, off-site backup, hot standby (PostgreSQL)"),
        "GB/T 22239 8.1.4.9a/b/c",
        (
            "tongxin/core/tests/test_operations.py::test_the_level3_profile_refuses_sqlite",
            "tongxin/assurance/tests/test_backup.py::test_backup_and_drill_round_trip_on_sqlite",
            "tongxin/assurance/tests/test_backup.py::test_backup_and_drill_round_trip_on_postgresql",
            "tongxin/assurance/tests/test_backup.py::test_a_damaged_backup_fails_the_drill_and_is_recorded",
            "tongxin/assurance/tests/test_backup.py::test_the_keys_are_never_in_the_backup",
            "tongxin/assurance/tests/test_backup.py::test_row_21_follows_the_last_drill",
        ),
        _database,
    ),
    Row(
        22,
        _("No residual data: sessions, temporary exports and caches purged"),
        "GB/T 22239 8.1.4.10; ASVS 14.2.2",
        (
            "tongxin/accounts/tests/test_login_defences.py"
            "::test_logout_deletes_the_server_side_session_and_the_cookie_is_dead",
            "tongxin/transfer/tests/test_export_requests.py"
            "::test_second_person_approves_then_the_requester_downloads_until_it_expires",
        ),
    ),
    Row(
        23,
        _("Only necessary personal data: a registry with purpose, legal basis, retention and class"),
        "PIPL 6, 51(2); GB/T 22239 8.1.4.11a; GB/T 35273 5.2",
        (
            "tongxin/privacy/tests/test_registry.py"
            "::test_every_field_that_looks_personal_is_registered_or_explained",
        ),
    ),
    Row(
        24,
        _("Masked by default; a reveal is permitted, audited and states its purpose"),
        "GB/T 35273 7.2; PIPL 6; ASVS 14.2.6",
        (
            "tongxin/people/tests/test_views.py::test_reveal_is_audited_with_its_purpose",
            "tongxin/people/tests/test_views.py::test_reveal_without_a_purpose_shows_nothing",
            "tongxin/people/tests/test_api.py::test_reveal_needs_a_purpose",
        ),
    ),
    Row(
        25,
        _("Retention and deletion enforced automatically"),
        "PIPL 19, 47; ASVS 14.2.7",
        ("tongxin/privacy/tests/test_retention.py",),
    ),
    Row(
        26,
        _("Requests of data subjects: access, correction, deletion, refusal with reason, due date"),
        "PIPL 45–47, 50; GB/T 35273 ch. 8",
        ("tongxin/privacy/tests/test_requests.py::test_the_api_per_request_type",),
    ),
    Row(
        27,
        _("A bulk export of unmasked data needs a second person's approval; exports limited and audited"),
        "GB/T 35273 7.1; ASVS 2.4.1",
        (
            "tongxin/transfer/tests/test_export_requests.py::test_a_bulk_reveal_is_a_request_not_a_file",
            "tongxin/transfer/tests/test_export_requests.py::test_the_api_flow_with_self_approval_403",
            "tongxin/transfer/tests/test_export_requests.py"
            "::test_refusal_needs_a_reason_and_the_size_limit_holds",
        ),
    ),
    Row(
        28,
        _("No personal data cached by the browser; no-store on responses with personal data"),
        "ASVS 14.3.2/14.3.3",
        ("tongxin/core/tests/test_operations.py::test_personal_data_is_never_kept_by_the_browser",),
    ),
    Row(
        29,
        _("Content security policy with a nonce, frames denied, referrer policy; no external hosts"),
        "PIPL 36; Django W019/W022/E024",
        (
            "tongxin/core/tests/test_operations.py::test_every_page_carries_the_security_headers",
            "tongxin/core/tests/test_operations.py"
            "::test_the_api_docs_page_has_the_policy_and_loads_nothing_from_another_host",
        ),
        _headers,
    ),
    Row(
        30,
        _("Every input validated on the server against the schema; generic errors, no stack traces"),
        "ASVS 2.2.1/2.2.2/16.5.1",
        (
            "tongxin/core/tests/test_api_schemathesis.py::test_every_operation",
            "tongxin/core/tests/test_inputs.py::test_bounded_parameters_refuse_out_of_range_values_with_422",
            "tongxin/core/tests/test_inputs.py::test_an_api_body_over_the_limit_answers_413_json",
        ),
    ),
    Row(
        31,
        _("Cases move only along allowed transitions, in order, all or nothing"),
        "ASVS 2.3.1/2.3.3",
        ("tongxin/cases/tests/test_stateful.py",),
    ),
    Row(
        32,
        _("Concurrent edits of one case are detected (optimistic lock)"),
        "ASVS 2.3.4",
        ("tongxin/cases/tests/test_concurrency.py",),
    ),
    Row(
        33,
        _("Writes through the API are idempotent with an Idempotency-Key"),
        "IETF Idempotency-Key draft 07",
        ("tongxin/cases/tests/test_api.py",),
    ),
    Row(
        34,
        _("Notifications through a transactional outbox, delivered at least once, without duplicates"),
        "ASVS 2.3.3",
        ("tongxin/notifications/tests/test_outbox.py", "tongxin/cases/tests/test_outbox.py"),
    ),
    Row(
        35,
        _("Public submission and costly endpoints are rate-limited"),
        "ASVS 2.4.1; OWASP API4/API6",
        (
            "tongxin/accounts/tests/test_login_defences.py"
            "::test_public_intake_api_is_limited_per_address_with_a_json_429",
            "tongxin/accounts/tests/test_login_defences.py::test_the_report_page_shares_the_public_limit",
        ),
    ),
    Row(
        36,
        _("Dependencies and code scanned; the production settings checked"),
        "ASVS V15",
        (
            "tongxin/core/tests/test_operations.py::test_check_deploy_is_clean_in_the_production_profile",
            "tongxin/core/tests/test_operations.py::test_the_level3_profile_on_sqlite_fails_check",
        ),
        _profile,
    ),
    Row(
        37,
        _("Impact assessment, processing records and a breach runbook kept"),
        "PIPL 54, 55, 57; GB/T 35273 11.3",
        (
            "tongxin/privacy/tests/test_registry.py::test_the_record_in_docs_matches_the_registry",
            "tongxin/privacy/tests/test_registry.py"
            "::test_the_record_keeps_its_impact_assessment_audit_and_breach_runbook",
        ),
        document=True,
    ),
)


def checklist() -> list[tuple[Row, Finding]]:
    """Every row with its state on this installation."""
    return [(row, row.finding()) for row in ROWS]


def summary(found: list[tuple[Row, Finding]]) -> dict[State, int]:
    counts = {state: 0 for state in State}
    for _row, finding in found:
        counts[finding.state] += 1
    return counts


def as_json(found: list[tuple[Row, Finding]]) -> list[dict[str, Any]]:
    return [
        {
            "number": row.number,
            "requirement": str(row.requirement),
            "source": row.source,
            "state": finding.state.value,
            "state_label": str(STATE_LABELS[finding.state]),
            "detail": str(finding.detail),
            "proofs": list(row.proofs),
        }
        for row, finding in found
    ]
