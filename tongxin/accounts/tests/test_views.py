"""The security administrator's account pages and every user's tokens and password page."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.accounts.api_auth import TokenAuth
from tongxin.accounts.models import ApiToken, RoleAssignment, User
from tongxin.accounts.services import role_grant, user_create
from tongxin.audit.models import Action, AuditEvent, Outcome
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, Tree, make_person, make_user


@dataclass
class World:
    tree: Tree
    admin: User  # security administrator of street A
    target: User  # a community secretary in street A
    outsider: User  # a grid worker in street B: outside the admin's scope


@pytest.fixture
def world(tree) -> World:
    admin = make_user(Role.SECURITY_ADMIN, tree.street_a, username="sec.a")
    target = user_create(
        username="chen.jie", password=PASSWORD, person=make_person(tree.community_a1, name="陈杰")
    )
    role_grant(user=target, role=Role.COMMUNITY_SECRETARY, region=tree.community_a1, granted_by=None)
    outsider = user_create(
        username="liu.yang", password=PASSWORD, person=make_person(tree.community_b1, name="刘洋")
    )
    role_grant(user=outsider, role=Role.GRID_WORKER, region=tree.community_b1, granted_by=None)
    return World(tree, admin, target, outsider)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, *args: object) -> str:
    return reverse(f"accounts:{name}", args=args)


# --- list ---


def test_list_shows_accounts_in_scope_only(world):
    response = client_for(world.admin).get(url("list"))
    assert response.status_code == 200
    shown = {row["account"].username for row in response.context["rows"]}
    assert shown == {"sec.a", "chen.jie"}
    body = response.content.decode()
    assert "liu.yang" not in body and "刘洋" not in body


def test_list_search(world):
    client = client_for(world.admin)
    assert [r["account"] for r in client.get(url("list"), {"q": "陈"}).context["rows"]] == [world.target]
    assert [r["account"] for r in client.get(url("list"), {"q": "chen"}).context["rows"]] == [world.target]
    assert client.get(url("list"), {"q": "liu"}).context["rows"] == []


def test_list_hides_roles_held_outside_scope(world):
    role_grant(user=world.target, role=Role.MEMBER, region=world.tree.community_b1, granted_by=None)
    row = next(
        r for r in client_for(world.admin).get(url("list")).context["rows"] if r["account"] == world.target
    )
    assert [a.role for a in row["roles"]] == [Role.COMMUNITY_SECRETARY]
    assert row["others"] == 1


def test_list_marks_locked_accounts(world, settings):
    anonymous = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        anonymous.post("/login/", {"username": "chen.jie", "password": f"bad-{i}"})
    rows = client_for(world.admin).get(url("list")).context["rows"]
    assert {r["account"].username: r["locked"] for r in rows} == {"sec.a": False, "chen.jie": True}


@pytest.mark.parametrize("name", ["list", "create"])
def test_admin_pages_refuse_anonymous_and_other_roles(world, name):
    response = Client().get(url(name))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client_for(world.target).get(url(name)).status_code == 403
    auditor = make_user(Role.AUDITOR, world.tree.city)
    assert client_for(auditor).get(url(name)).status_code == 403


def test_list_refuses_post(world):
    assert client_for(world.admin).post(url("list")).status_code == 405


# --- detail ---


def test_detail_in_scope(world):
    response = client_for(world.admin).get(url("detail", world.target.pk))
    assert response.status_code == 200
    assert [a.role for a in response.context["roles"]] == [Role.COMMUNITY_SECRETARY]
    assert response.context["locked"] is False
    assert url("role_grant", world.target.pk) in response.content.decode()


def test_detail_outside_scope_or_missing_is_404(world):
    client = client_for(world.admin)
    assert client.get(url("detail", world.outsider.pk)).status_code == 404
    assert client.get(url("detail", 999999)).status_code == 404


def test_own_detail_offers_no_grant_form(world):
    response = client_for(world.admin).get(url("detail", world.admin.pk))
    assert response.context["is_self"] is True
    assert url("role_grant", world.admin.pk) not in response.content.decode()


# --- grant ---


def grant(client, account, role, region):
    return client.post(
        url("role_grant", account.pk), {"role": role, "region": region.pk}, REMOTE_ADDR="10.0.0.7"
    )


def test_grant_is_audited(world):
    grid = world.tree.grids["1.1"]
    response = grant(client_for(world.admin), world.target, Role.GRID_WORKER, grid)
    assert response.status_code == 302 and response["Location"] == url("detail", world.target.pk)
    assert RoleAssignment.objects.filter(user=world.target, role=Role.GRID_WORKER, region=grid).exists()
    event = AuditEvent.objects.filter(action=Action.ROLE_GRANTED).latest("id")
    assert (event.actor, event.region, event.ip, event.outcome, event.target) == (
        world.admin,
        grid,
        "10.0.0.7",
        Outcome.SUCCESS,
        f"user:{world.target.pk}",
    )
    assert event.detail == {"role": Role.GRID_WORKER, "user": "chen.jie"}


def test_grant_to_oneself_is_refused(world):
    before = RoleAssignment.objects.count()
    response = grant(client_for(world.admin), world.admin, Role.AUDITOR, world.tree.community_a1)
    assert response.status_code == 400
    assert "Nobody may grant roles to themself." in response.content.decode()
    assert RoleAssignment.objects.count() == before


def test_grant_at_a_region_outside_scope_is_404(world):
    before = RoleAssignment.objects.count()
    response = grant(client_for(world.admin), world.target, Role.MEMBER, world.tree.community_b1)
    assert response.status_code == 404
    assert RoleAssignment.objects.count() == before


def test_grant_to_an_account_outside_scope_is_404(world):
    response = grant(client_for(world.admin), world.outsider, Role.MEMBER, world.tree.community_a1)
    assert response.status_code == 404
    assert not world.outsider.role_assignments.filter(role=Role.MEMBER).exists()


def test_separation_of_the_three_administrators(world):
    """三权分立 on the page: the secretary cannot also be the auditor (a clear message, nothing saved)."""
    client = client_for(world.admin)
    response = grant(client, world.target, Role.AUDITOR, world.tree.street_a)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Separation of duties" in page and "Community secretary" in page
    assert not world.target.role_assignments.filter(role=Role.AUDITOR).exists()


def test_granting_a_held_role_again_says_so(world):
    response = grant(client_for(world.admin), world.target, Role.COMMUNITY_SECRETARY, world.tree.community_a1)
    assert response.status_code == 400
    assert world.target.role_assignments.count() == 1


@pytest.mark.parametrize(
    "data", [{"role": "king", "region": "1"}, {"role": "member"}, {"role": "member", "region": "x"}]
)
def test_grant_bad_input(world, data):
    before = RoleAssignment.objects.count()
    response = client_for(world.admin).post(url("role_grant", world.target.pk), data)
    assert response.status_code == 400
    assert RoleAssignment.objects.count() == before


def test_grant_needs_post_and_the_capability(world):
    assert client_for(world.admin).get(url("role_grant", world.target.pk)).status_code == 405
    secretary = client_for(world.target)
    assert grant(secretary, world.target, Role.STREET_OFFICIAL, world.tree.street_a).status_code == 403
    assert Client().post(url("role_grant", world.target.pk), {}).status_code == 302


# --- revoke ---


def test_revoke_is_audited(world):
    assignment = world.target.role_assignments.get()
    response = client_for(world.admin).post(url("role_revoke", world.target.pk, assignment.pk))
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    event = AuditEvent.objects.get(action=Action.ROLE_REVOKED)
    assert event.actor == world.admin and event.detail["role"] == Role.COMMUNITY_SECRETARY


def test_revoke_outside_scope_is_404(world):
    far = role_grant(user=world.target, role=Role.MEMBER, region=world.tree.community_b1, granted_by=None)
    client = client_for(world.admin)
    assert client.post(url("role_revoke", world.target.pk, far.pk)).status_code == 404
    # an assignment of another account, reached through this account's URL
    theirs = world.outsider.role_assignments.get()
    assert client.post(url("role_revoke", world.target.pk, theirs.pk)).status_code == 404
    assert RoleAssignment.objects.filter(pk__in=[far.pk, theirs.pk]).count() == 2


def test_revoking_ones_own_role_is_refused(world):
    own = world.admin.role_assignments.get()
    response = client_for(world.admin).post(url("role_revoke", world.admin.pk, own.pk), follow=True)
    assert "Nobody may change their own roles." in response.content.decode()
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_revoke_needs_post(world):
    assignment = world.target.role_assignments.get()
    assert client_for(world.admin).get(url("role_revoke", world.target.pk, assignment.pk)).status_code == 405


# --- unlock, deactivate ---


def test_unlock_outside_scope_is_404_and_needs_post(world):
    client = client_for(world.admin)
    assert client.post(url("unlock", world.outsider.pk)).status_code == 404
    assert client.get(url("unlock", world.target.pk)).status_code == 405
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT_UNLOCKED).exists()


def test_deactivate_logs_the_account_out_and_is_audited(world):
    victim = client_for(world.target)
    assert victim.get(url("tokens")).status_code == 200
    response = client_for(world.admin).post(url("set_active", world.target.pk), {"active": "0"})
    assert response.status_code == 302
    world.target.refresh_from_db()
    assert world.target.is_active is False
    assert victim.get(url("tokens")).status_code == 302
    event = AuditEvent.objects.get(action=Action.ACCOUNT_DEACTIVATED)
    assert event.actor == world.admin and event.region == world.tree.community_a1

    client_for(world.admin).post(url("set_active", world.target.pk), {"active": "1"})
    world.target.refresh_from_db()
    assert world.target.is_active is True
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_ACTIVATED).count() == 1


def test_deactivating_twice_writes_one_event(world):
    client = client_for(world.admin)
    client.post(url("set_active", world.target.pk), {"active": "0"})
    client.post(url("set_active", world.target.pk), {"active": "0"})
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_DEACTIVATED).count() == 1


def test_deactivate_refusals(world):
    client = client_for(world.admin)
    response = client.post(url("set_active", world.admin.pk), {"active": "0"}, follow=True)
    assert "Nobody may deactivate or reactivate their own account." in response.content.decode()
    role_grant(user=world.target, role=Role.MEMBER, region=world.tree.community_b1, granted_by=None)
    response = client.post(url("set_active", world.target.pk), {"active": "0"}, follow=True)
    assert "outside your part of the region tree" in response.content.decode()
    assert client.post(url("set_active", world.outsider.pk), {"active": "0"}).status_code == 404
    assert User.objects.filter(is_active=False).count() == 0


# --- create ---


def test_create_lists_only_people_in_scope_without_account(world):
    free = make_person(world.tree.grids["1.2"], name="周敏")
    far = make_person(world.tree.community_b1, name="周强")
    response = client_for(world.admin).get(url("create"), {"q": "周"})
    assert response.status_code == 200
    assert response.context["people"] == [free]
    assert far.name not in response.content.decode()


def test_create_with_a_first_role(world):
    person = make_person(world.tree.grids["1.2"], name="周敏")
    grid = world.tree.grids["1.2"]
    response = client_for(world.admin).post(
        url("create"),
        {
            "person": person.pk,
            "username": "zhou.min",
            "role": Role.GRID_WORKER,
            "region": grid.pk,
        },
    )
    account = User.objects.get(username="zhou.min")
    # the one-time password is shown once, never cached, and must be changed at the first log-in
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    shown = response.context["password"]
    assert shown in response.content.decode()
    assert account.person == person and account.password.startswith("argon2")
    assert account.check_password(shown) and account.must_change_password
    assert list(account.role_assignments.values_list("role", "region")) == [(Role.GRID_WORKER, grid.pk)]
    created = AuditEvent.objects.get(action=Action.ACCOUNT_CREATED)
    assert created.actor == world.admin and created.region == grid
    assert AuditEvent.objects.filter(action=Action.ROLE_GRANTED, actor=world.admin).count() == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"username": "chen.jie"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"role": Role.GRID_WORKER, "region": ""}, "region"),
        ({"person": ""}, "person"),
    ],
)
def test_create_bad_input(world, change, error):
    person = make_person(world.tree.grids["1.2"])
    data = {
        "person": person.pk,
        "username": "new.one",
        "role": "",
        "region": "",
    }
    response = client_for(world.admin).post(url("create"), {**data, **change})
    assert response.status_code == 400
    assert error in response.context["form"].errors
    assert not User.objects.filter(person=person).exists()
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT_CREATED).exists()


def test_create_for_a_person_outside_scope_is_404(world):
    far = make_person(world.tree.community_b1)
    response = client_for(world.admin).post(url("create"), {"person": far.pk, "username": "far.one"})
    assert response.status_code == 404
    assert not User.objects.filter(username="far.one").exists()


def test_create_for_a_person_who_has_an_account_is_refused(world):
    response = client_for(world.admin).post(
        url("create"), {"person": world.target.person_id, "username": "twin"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="twin").exists()


# --- tokens ---


def test_tokens_anonymous_redirects():
    assert Client().get(url("tokens")).status_code == 302


def test_tokens_page_explains_the_header(world):
    body = client_for(world.target).get(url("tokens")).content.decode()
    assert "Authorization: Bearer &lt;token&gt;" in body


def test_token_secret_is_shown_once_and_works(world, rf):
    client = client_for(world.target)
    response = client.post(url("tokens"), {"name": "网格通"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    token = ApiToken.objects.get(user=world.target)
    assert token.token_hash == ApiToken.hash(secret) and secret not in token.token_hash
    assert AuditEvent.objects.filter(action=Action.TOKEN_CREATED, actor=world.target).count() == 1

    again = client.get(url("tokens"))
    assert secret not in again.content.decode()
    assert token.prefix in again.content.decode()
    assert TokenAuth().authenticate(rf.get("/api/v1/me"), secret) == world.target


def test_token_list_is_own_only(world):
    client_for(world.admin).post(url("tokens"), {"name": "admin-token"})
    response = client_for(world.target).get(url("tokens"))
    assert list(response.context["tokens"]) == []
    assert "admin-token" not in response.content.decode()


def test_token_create_bad_input(world):
    response = client_for(world.target).post(url("tokens"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_token_revoke(world, rf):
    client = client_for(world.target)
    secret = client.post(url("tokens"), {"name": "t"}).context["secret"]
    token = ApiToken.objects.get()
    assert client.get(url("token_revoke", token.pk)).status_code == 405
    assert client_for(world.admin).post(url("token_revoke", token.pk)).status_code == 404
    assert Client().post(url("token_revoke", token.pk)).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None

    assert client.post(url("token_revoke", token.pk)).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert TokenAuth().authenticate(rf.get("/api/v1/me"), secret) is None
    assert AuditEvent.objects.filter(action=Action.TOKEN_REVOKED, actor=world.target).count() == 1


# --- password ---


def test_password_change(world):
    client = client_for(world.target)
    data = {"old_password": PASSWORD, "new_password1": "Lotus-pond-2027", "new_password2": "Lotus-pond-2027"}
    response = client.post(url("password"), data)
    assert response.status_code == 302
    world.target.refresh_from_db()
    assert world.target.check_password("Lotus-pond-2027")
    assert world.target.password.startswith("argon2")
    assert client.get(url("tokens")).status_code == 200  # still logged in
    event = AuditEvent.objects.get(action=Action.PASSWORD_CHANGED)
    assert event.actor == world.target


@pytest.mark.parametrize(
    "data",
    [
        {"old_password": "wrong", "new_password1": "Lotus-pond-2027", "new_password2": "Lotus-pond-2027"},
        {"old_password": PASSWORD, "new_password1": "12345678901", "new_password2": "12345678901"},
        {"old_password": PASSWORD, "new_password1": "Lotus-pond-2027", "new_password2": "Lotus-pond-2028"},
    ],
)
def test_password_change_bad_input(world, data):
    response = client_for(world.target).post(url("password"), data)
    assert response.status_code == 400
    world.target.refresh_from_db()
    assert world.target.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED).exists()


def test_password_page_needs_login_and_get_or_post():
    assert Client().get(url("password")).status_code == 302
    assert Client().put(url("password")).status_code == 302
