"""`/` lands each role on its page; the start pages answer only their users, within their scope."""

import pytest
from django.urls import reverse

from tongxin.cases.testing import report_case
from tongxin.cases.tests.pages import IN_COMMUNITY_A2, login, make_cast, move
from tongxin.core.roles import Role
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db

INBOX, TASKS, MEMBER, ME = "/workbench/inbox/", "/workbench/tasks/", "/workbench/member/", "/workbench/me/"


@pytest.fixture
def cast(tree):
    return make_cast(tree)


@pytest.mark.parametrize(
    ("who", "where"),
    [
        ("secretary", INBOX),
        ("staff", INBOX),
        ("worker", TASKS),
        ("member", MEMBER),
        ("street", "/statistics/"),
        ("county", "/statistics/"),
        ("hotline", "/cases/hotline/"),
        ("admin", "/structure/"),
    ],
)
def test_home_sends_each_role_to_its_start_page(cast, who, where):
    response = cast.client(who).get("/")
    assert response.status_code == 302
    assert response["Location"] == where
    assert cast.client(who).get(where).status_code == 200


def test_home_sends_admins_and_liaisons_to_their_pages(tree):
    for role, where in [
        (Role.SECURITY_ADMIN, "/accounts/"),
        (Role.AUDITOR, "/audit/"),
        (Role.PARTNER_LIAISON, "/lists/needs/"),
    ]:
        assert login(make_user(role, tree.city)).get("/")["Location"] == where


def test_logging_in_lands_on_the_start_page(cast, client):
    from tongxin.testing import PASSWORD

    response = client.post(reverse("login"), {"username": "shuji", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == INBOX
    assert response.status_code == 200


def test_home_and_start_pages_need_an_account(client):
    for url in ["/", INBOX, TASKS, MEMBER, ME]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_start_pages_answer_get_only(cast):
    for url in ["/", INBOX, TASKS, MEMBER, ME]:
        assert cast.client("secretary").post(url).status_code == 405


def test_inbox_is_for_case_managers_only(cast):
    assert cast.client("worker").get(INBOX).status_code == 403
    assert cast.client("member").get(INBOX).status_code == 403


def test_inbox_shows_the_community_cases_and_no_other(cast):
    mine = report_case(cast.tree)
    theirs = report_case(cast.tree, at=IN_COMMUNITY_A2)
    body = cast.client("secretary").get(INBOX).content.decode()
    assert mine.tracking_code in body and f'href="/cases/{mine.pk}/"' in body
    assert theirs.tracking_code not in body
    other = cast.client("other").get(INBOX).content.decode()
    assert mine.tracking_code not in other and theirs.tracking_code not in other


def test_tasks_and_member_pages_show_only_the_users_own_work(cast):
    taken = move(report_case(cast.tree), ("accept", cast.secretary, {}), ("pool", cast.secretary, {}))
    move(taken, ("take", cast.member, {}))
    assert taken.tracking_code in cast.client("member").get(MEMBER).content.decode()
    assert taken.tracking_code not in cast.client("worker").get(TASKS).content.decode()
    # an account without a person says how to get one linked
    nobody = login(make_user(None, None))
    assert "not linked to a person" in nobody.get(MEMBER).content.decode()
    assert nobody.get(TASKS).status_code == 200


def test_me_lists_the_roles_and_the_account_links(cast):
    body = cast.client("worker").get(ME).content.decode()
    assert "Grid worker" in body and reverse("accounts:password") in body and reverse("logout") in body


def test_the_structure_stays_at_its_own_address(cast):
    response = cast.client("secretary").get("/structure/")
    assert response.status_code == 200
    assert "滚绣坊社区" in response.content.decode()
