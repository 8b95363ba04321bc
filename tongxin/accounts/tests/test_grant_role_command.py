import pytest
from django.core.management import CommandError, call_command

from tongxin.accounts.models import RoleAssignment
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


def test_grant_role_to_an_existing_account(tree):
    user = make_user(None, None, username="anquan")
    call_command("grant_role", username="anquan", role="security_admin", region=tree.city.code)
    assert RoleAssignment.objects.filter(user=user, role="security_admin", region=tree.city).exists()


def test_unknown_region_or_account_is_refused(tree):
    with pytest.raises(CommandError, match="No region"):
        call_command("grant_role", username="x", role="auditor", region="999999999999")
    with pytest.raises(CommandError, match="No such account"):
        call_command("grant_role", username="nobody", role="auditor", region=tree.city.code)


def test_separation_of_admins_is_kept(tree):
    make_user("system_admin", tree.city, username="admin1")
    with pytest.raises(CommandError):
        call_command("grant_role", username="admin1", role="auditor", region=tree.city.code)


def test_first_start_creates_the_city(db):
    from tongxin.regions.models import Region

    make_user(None, None, username="anquan")
    call_command(
        "grant_role", username="anquan", role="security_admin", region="529000000000", create_city="黔源市"
    )
    assert Region.objects.get(code="529000000000").level == "city"
