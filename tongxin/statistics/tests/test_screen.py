"""The big screen (大屏): through a live display link without an account, or as an official in
scope; figures only, never a reporter's name, phone or words."""

import re

import pytest
from django.urls import reverse

from tongxin.cases.services import case_transition
from tongxin.cases.testing import report_case
from tongxin.cases.tests.cast import build_cast
from tongxin.core.roles import Role
from tongxin.statistics.display_selectors import headline_codes, screen_read
from tongxin.statistics.display_services import display_link_issue, display_link_revoke
from tongxin.statistics.models import DisplayLink
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db

REPORTER = "欧阳震华"
PHONE = "13912345678"
DESCRIPTION = "欧阳震华家楼下的下水道堵了三天"
RESULT = "已联系欧阳震华本人，疏通完毕"


@pytest.fixture
def cast(tree):
    return build_cast(tree)


@pytest.fixture
def anquan(tree):
    return make_user(Role.SECURITY_ADMIN, tree.county)


def _closed_case(tree, cast):
    case = report_case(tree, reporter_name=REPORTER, reporter_phone=PHONE, description=DESCRIPTION)
    for actor, action, params in [
        (cast.secretary, "accept", {}),
        (cast.secretary, "dispatch", {"to_user": cast.handler}),
        (cast.handler, "respond", {}),
        (cast.handler, "resolve", {"reason": RESULT}),
        (cast.grid_worker, "verify_pass", {}),
        (cast.secretary, "follow_up", {"solved": True, "rating": "satisfied"}),
    ]:
        case = case_transition(case=case, action=action, actor=actor, **params)
    return case


def _tile(html, code):
    found = re.search(rf'data-code="{re.escape(code)}">.*?<span class="scr-num">([^<]*)</span>', html, re.S)
    assert found, code
    return found.group(1)


@pytest.fixture
def screen(tree, cast, anquan):
    """Street A's screen with one closed case (with a reporter's name and phone) and one open case."""
    closed = _closed_case(tree, cast)
    report_case(tree, reporter_name=REPORTER, reporter_phone=PHONE)
    link, token = display_link_issue(region=tree.street_a, label="双塔街道指挥中心", issued_by=anquan)
    return closed, link, token


def test_a_display_link_shows_the_screen_without_log_in(client, tree, screen):
    closed, link, token = screen
    response = client.get(f"/screen/{token}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert tree.street_a.name in html
    # this year's headline figures and today's
    assert _tile(html, "cases.received") == "2"
    assert _tile(html, "cases.closed") == "1"
    assert _tile(html, "cases.resolution_rate") == "100.0"
    today = html.split('id="scr-today"', 1)[1]
    assert _tile(today, "cases.open") == "1"
    # the map's areas are the street's communities, coloured by this year's cases
    data = response.context["screen"].data
    assert data["counts"] == {str(tree.community_a1.pk): 2, str(tree.community_a2.pk): 0}
    assert [s["code"] for s in data["series"]] == ["cases.received", "cases.closed"]
    # this year's categories, then the latest closed case: category and place, nothing else
    categories = response.context["screen"].categories
    assert [(c.count, c.percent) for c in categories] == [(2, 100)]
    assert closed.category.name in html and tree.community_a1.name in html
    link.refresh_from_db()
    assert link.last_seen_at is not None


def test_the_screen_never_shows_personal_data(client, tree, screen):
    _closed, _link, token = screen
    for url in (f"/screen/{token}/", f"/screen/{token}/live/"):
        html = client.get(url).content.decode()
        for secret in (REPORTER, PHONE, PHONE[-4:], DESCRIPTION, RESULT, "欧阳"):
            assert secret not in html, (url, secret)


def test_the_live_part_swaps_in_out_of_band(client, screen):
    _closed, _link, token = screen
    response = client.get(f"/screen/{token}/live/")
    assert response.status_code == 200
    html = response.content.decode()
    for part in ("scr-stamp", "scr-today", "scr-year-tiles", "scr-categories", "scr-closed", "scr-data-box"):
        assert re.search(rf'id="{part}"[^>]*hx-swap-oob="true"', html), part
    assert _tile(html, "cases.received") == "2"


def test_the_page_has_no_inline_script(client, screen):
    _closed, _link, token = screen
    html = client.get(f"/screen/{token}/").content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_a_revoked_link_is_a_404_with_no_figure(client, tree, screen, anquan):
    _closed, link, token = screen
    assert client.get(f"/screen/{token}/").status_code == 200
    display_link_revoke(link=link, revoked_by=anquan)
    for url in (f"/screen/{token}/", f"/screen/{token}/live/"):
        response = client.get(url)
        assert response.status_code == 404
        assert tree.street_a.name not in response.content.decode()


def test_an_unknown_token_is_a_404(client, screen):
    _closed, _link, token = screen
    for url in (
        "/screen/x/",
        f"/screen/{token[:-1]}/",
        f"/screen/{token}x/live/",
        "/screen/" + "a" * 200 + "/",
    ):
        assert client.get(url).status_code == 404, url
    assert DisplayLink.objects.get().active


def test_the_link_page_is_read_only(client, screen):
    _closed, _link, token = screen
    assert client.post(f"/screen/{token}/").status_code == 405
    assert client.post(f"/screen/{token}/live/").status_code == 405


def test_an_official_opens_the_screen_of_a_node_in_scope(client, tree, cast, screen):
    client.force_login(cast.street)
    url = reverse("statistics:screen")
    response = client.get(url, {"node": tree.community_a1.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert _tile(html, "cases.received") == "2" and tree.community_a1.name in html
    assert f"{reverse('statistics:screen_live')}?node={tree.community_a1.pk}" in html
    # without a node: the root of their scope
    assert response.context["screen"].node == tree.community_a1
    assert client.get(url).context["screen"].node == tree.street_a
    assert client.get(reverse("statistics:screen_live"), {"node": tree.community_a1.pk}).status_code == 200
    for secret in (REPORTER, PHONE, RESULT):
        assert secret not in html


def test_an_official_cannot_open_a_node_outside_scope(client, tree, cast, screen):
    client.force_login(cast.outsider)  # secretary of community a2
    for name in ("statistics:screen", "statistics:screen_live"):
        assert client.get(reverse(name), {"node": tree.community_a1.pk}).status_code == 404
        assert client.get(reverse(name), {"node": "x"}).status_code == 404


def test_the_official_screen_needs_statistics_view(client, tree, anquan, screen):
    url = reverse("statistics:screen")
    response = client.get(url, {"node": tree.street_a.pk})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(anquan)  # the security administrator reads no figures
    assert client.get(url, {"node": tree.street_a.pk}).status_code == 403


def test_an_official_sees_only_the_figures_their_roles_reach(tree, anquan, screen):
    """Read with a user, the screen keeps to the indicators that user may read (none here: the
    security administrator holds no figure's capability); read for a link, every headline figure."""
    for_user = screen_read(tree.street_a, user=anquan)
    assert (for_user.year_tiles, for_user.today_tiles, for_user.closed) == ([], [], [])
    assert for_user.data["counts"] == {} and for_user.data["series"] == []
    for_link = screen_read(tree.street_a)
    assert {t.code for t in for_link.year_tiles} == set(headline_codes())


def test_the_screen_reads_in_a_bounded_number_of_queries(client, screen, django_assert_max_num_queries):
    _closed, _link, token = screen
    with django_assert_max_num_queries(120):
        client.get(f"/screen/{token}/live/")
