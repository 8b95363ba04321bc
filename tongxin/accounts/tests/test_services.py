"""The account services the pages use: scope, 三员分立, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tongxin.accounts.models import RoleAssignment, User
from tongxin.accounts.selectors import accounts_visible, grantable_regions, locked_usernames
from tongxin.accounts.services import (
    account_create,
    account_set_active,
    account_unlock,
    password_change,
    role_grant,
    role_revoke,
    user_create,
)
from tongxin.audit.models import Action, AuditEvent, Outcome
from tongxin.core.roles import Role
from tongxin.regions.models import Level
from tongxin.testing import PASSWORD, make_person, make_user


@pytest.fixture
def admin(tree):
    return make_user(Role.SECURITY_ADMIN, tree.street_a)


def test_grant_outside_scope_raises_permission_denied(tree, admin):
    target = make_user(None, None)
    with pytest.raises(PermissionDenied):
        role_grant(user=target, role=Role.MEMBER, region=tree.street_b, granted_by=admin)
    assert not target.role_assignments.exists()


def test_a_denied_grant_leaves_an_audit_event(tree, admin):
    with pytest.raises(PermissionDenied):
        role_grant(user=make_user(None, None), role=Role.MEMBER, region=tree.street_b, granted_by=admin)
    assert AuditEvent.objects.filter(action=Action.ROLE_GRANTED, outcome=Outcome.DENIED).exists()


def test_self_grant_refused(tree, admin):
    with pytest.raises(ValidationError, match="themself"):
        role_grant(user=admin, role=Role.AUDITOR, region=tree.community_a1, granted_by=admin)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (Role.SYSTEM_ADMIN, Role.AUDITOR),
        (Role.AUDITOR, Role.SYSTEM_ADMIN),
        (Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN),
        (Role.AUDITOR, Role.SECURITY_ADMIN),
    ],
)
def test_three_administrators_are_three_accounts(tree, admin, first, second):
    target = make_user(first, tree.community_a1)
    with pytest.raises(ValidationError, match="Separation of duties"):
        role_grant(user=target, role=second, region=tree.community_a2, granted_by=admin)
    assert list(target.role_assignments.values_list("role", flat=True)) == [first]


def test_same_admin_role_at_another_place_is_allowed(tree, admin):
    target = make_user(Role.AUDITOR, tree.community_a1)
    role_grant(user=target, role=Role.AUDITOR, region=tree.community_a2, granted_by=admin)
    assert target.role_assignments.count() == 2


def test_revoke_outside_scope_raises(tree, admin):
    target = make_user(Role.MEMBER, tree.street_b)
    with pytest.raises(PermissionDenied):
        role_revoke(assignment=target.role_assignments.get(), revoked_by=admin)
    assert RoleAssignment.objects.filter(user=target).exists()


def test_accounts_visible_by_role_or_person(tree, admin):
    by_role = make_user(Role.MEMBER, tree.grids["1.1"])
    by_person = user_create(username="p1", password=PASSWORD, person=make_person(tree.community_a2))
    outside = make_user(Role.MEMBER, tree.street_b)
    nowhere = make_user(None, None)
    visible = set(accounts_visible(admin))
    assert {by_role, by_person, admin} <= visible
    assert outside not in visible and nowhere not in visible
    assert list(accounts_visible(by_role)) == []


def test_grantable_regions_are_the_admins_subtree_without_buildings(tree, admin):
    regions = list(grantable_regions(admin))
    assert tree.street_a in regions and tree.grids["1.1"] in regions
    assert tree.street_b not in regions and tree.county not in regions
    assert all(r.level != Level.BUILDING for r in regions)


def test_account_create_outside_scope(tree, admin):
    with pytest.raises(PermissionDenied):
        account_create(username="x1", person=make_person(tree.street_b), created_by=admin)


def test_account_create_rolls_back_when_the_first_role_is_refused(tree, admin):
    person = make_person(tree.community_a1)
    with pytest.raises(PermissionDenied):
        account_create(
            username="x2",
            person=person,
            created_by=admin,
            role=Role.MEMBER,
            region=tree.street_b,
        )
    assert not User.objects.filter(username="x2").exists()
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT_CREATED).exists()


def test_unlock_and_set_active_outside_scope(tree, admin):
    outside = make_user(Role.MEMBER, tree.street_b)
    with pytest.raises(PermissionDenied):
        account_unlock(account=outside, actor=admin)
    with pytest.raises(PermissionDenied):
        account_set_active(account=outside, active=False, actor=admin)


def test_locked_usernames_counts_within_the_cool_off(tree, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    now = timezone.now()
    for username, failures, age in [
        ("a", settings.AXES_FAILURE_LIMIT, 0),
        ("b", 1, 0),
        ("c", 99, 60 * 24 * 30),
    ]:
        AccessAttempt.objects.create(
            username=username,
            ip_address="10.0.0.1",
            user_agent="x",
            failures_since_start=failures,
            attempt_time=now,
        )
        AccessAttempt.objects.filter(username=username).update(attempt_time=now - timedelta(minutes=age))
    assert locked_usernames(["a", "b", "c", "d"]) == {"a"}
    assert locked_usernames([]) == set()


def test_password_change_validates(tree):
    user = make_user(None, None)
    with pytest.raises(ValidationError):
        password_change(user=user, new_password="123")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
