"""三权分立 (SECURITY.md row 9): an administrator role excludes every other role on the account,
the system check reports stored accounts that break it and superusers in the level-3 profile, and
each administrator is refused (403) what belongs to the other two and to the business roles."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tongxin.accounts.checks import accounts_check
from tongxin.accounts.models import RoleAssignment, User
from tongxin.accounts.services import role_grant, separation_conflict
from tongxin.core.roles import ADMIN_ROLES, Role
from tongxin.testing import make_user

ADMINS = sorted(ADMIN_ROLES)
BUSINESS = [Role.STREET_OFFICIAL, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER, Role.MEMBER]


@pytest.fixture
def secadmin(tree):
    return make_user(Role.SECURITY_ADMIN, tree.city)


@pytest.mark.parametrize("admin_role", ADMINS)
@pytest.mark.parametrize("other", [*BUSINESS, *ADMINS])
def test_an_administrator_role_excludes_every_other_role(tree, secadmin, admin_role, other):
    if other == admin_role:
        pytest.skip("the same role at another place is allowed")
    holder = make_user(admin_role, tree.street_a)
    with pytest.raises(ValidationError, match="Separation of duties"):
        role_grant(user=holder, role=other, region=tree.street_a, granted_by=secadmin)
    business = make_user(other, tree.street_a)
    with pytest.raises(ValidationError, match="Separation of duties"):
        role_grant(user=business, role=admin_role, region=tree.street_a, granted_by=secadmin)
    assert not RoleAssignment.objects.filter(user=holder, role=other).exists()
    assert not RoleAssignment.objects.filter(user=business, role=admin_role).exists()


def test_the_same_administrator_role_at_two_places_and_business_roles_together_are_allowed(tree, secadmin):
    auditor = make_user(Role.AUDITOR, tree.street_a)
    role_grant(user=auditor, role=Role.AUDITOR, region=tree.street_b, granted_by=secadmin)
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    role_grant(user=official, role=Role.MEMBER, region=tree.community_a1, granted_by=secadmin)
    assert not separation_conflict({Role.STREET_OFFICIAL}, Role.MEMBER)
    assert separation_conflict({Role.MEMBER}, Role.AUDITOR)


def test_the_system_check_fails_on_a_stored_account_that_breaks_it(tree):
    mixed = make_user(Role.AUDITOR, tree.street_a, username="mixed")
    assert not [e for e in accounts_check() if e.id == "tongxin.A001"]
    RoleAssignment.objects.create(
        user=mixed, role=Role.STREET_OFFICIAL, region=tree.street_a
    )  # as an old release allowed
    errors = [e for e in accounts_check() if e.id == "tongxin.A001"]
    assert len(errors) == 1 and "mixed" in errors[0].msg
    with pytest.raises(SystemCheckError):
        call_command("check")


def test_the_system_check_refuses_a_superuser_in_the_level3_profile(db, settings):
    User.objects.create_superuser("root", password="Xq7!long-enough-pass")
    assert not [e for e in accounts_check() if e.id == "tongxin.A003"]
    settings.MLPS3 = True
    assert [e.id for e in accounts_check() if e.id == "tongxin.A003"] == ["tongxin.A003"]


def test_the_system_check_refuses_an_active_account_without_a_usable_password(db, settings):
    User.objects.create(username="nopass", password="")
    assert not [e for e in accounts_check() if e.id == "tongxin.A002"]
    settings.MLPS3 = True
    assert [e.id for e in accounts_check() if e.id == "tongxin.A002"] == ["tongxin.A002"]


def test_the_system_check_wants_argon2_first(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert "tongxin.A004" in [e.id for e in accounts_check()]


def test_the_level3_profile_needs_its_policy(db, settings):
    settings.MLPS3 = True
    settings.TONGXIN_PASSWORD_CLASSES = 0
    settings.TONGXIN_MFA_REQUIRED = "admins"
    ids = [e.id for e in accounts_check()]
    assert "tongxin.A006" in ids and "tongxin.A007" in ids


# What each administrator may not do: pages (403) and the API (403 JSON).
PAGES = {
    "accounts": "/accounts/",
    "audit": "/audit/",
    "people": "/people/",
    "import": "/transfer/",
    "cases": "/cases/",
}
FORBIDDEN = {
    Role.SYSTEM_ADMIN: ["accounts", "audit", "cases"],
    Role.SECURITY_ADMIN: ["audit", "people", "import", "cases"],
    Role.AUDITOR: ["accounts", "people", "import", "cases"],
}
ALLOWED = {Role.SYSTEM_ADMIN: "people", Role.SECURITY_ADMIN: "accounts", Role.AUDITOR: "audit"}
API_FORBIDDEN = {
    Role.SYSTEM_ADMIN: [],
    Role.SECURITY_ADMIN: ["/api/v1/people"],
    Role.AUDITOR: ["/api/v1/people"],
}


@pytest.mark.parametrize("role", ADMINS)
def test_each_administrator_is_refused_the_others_work(client, tree, role):
    client.force_login(make_user(role, tree.city))
    for name in FORBIDDEN[role]:
        assert client.get(PAGES[name]).status_code == 403, (role, name)
    assert client.get(PAGES[ALLOWED[role]]).status_code == 200
    for path in API_FORBIDDEN[role]:
        response = client.get(path)
        assert response.status_code == 403, (role, path)
        assert response.json()["code"] == "forbidden"
