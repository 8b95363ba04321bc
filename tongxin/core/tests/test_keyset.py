"""Keyset pagination (core/keyset.py): walking next from the first page visits every row once, in
order, with ties and nulls in the ordering and rows added between requests; previous walks back; a
tampered or foreign cursor is refused (a message and the first page on a page, 400 in the API)."""

from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongxin.core.keyset import BadCursor, make_cursor, offset_window, ordering_keys, read_cursor, window
from tongxin.core.pages import paginate
from tongxin.core.roles import Role
from tongxin.core.tests.test_pages import request
from tongxin.notifications.models import Notification
from tongxin.testing import make_user

T0 = timezone.make_aware(datetime(2026, 3, 1, 9, 0))
_keys = count()

# each ordering with the Python sort that must agree with it: nulls after every value (PostgreSQL's
# default) on both databases, ties broken by pk in the direction of the last term
ORDERINGS: dict[str, tuple[list[Any], Any]] = {
    "newest": (["-created_at"], lambda n: (_neg(n.created_at), -n.pk)),
    "read, title": (["read_at", "title"], lambda n: (_last(n.read_at), n.title, n.pk)),
    "-read, -title": (["-read_at", "-title"], lambda n: (_first_desc(n.read_at), _neg_s(n.title), -n.pk)),
    "user, newest": (
        ["user__username", "-created_at"],
        lambda n: (n.user.username, _neg(n.created_at), -n.pk),
    ),
    "read nulls last desc": (
        [F("read_at").desc(nulls_last=True), "title"],
        lambda n: (n.read_at is None, _neg(n.read_at) if n.read_at else 0, n.title, n.pk),
    ),
    "model default": ([], lambda n: (_neg(n.created_at), -n.pk)),
}


def _neg(moment: datetime) -> float:
    return -moment.timestamp()


def _last(moment: datetime | None) -> tuple[int, float]:
    return (1, 0) if moment is None else (0, moment.timestamp())


def _first_desc(moment: datetime | None) -> tuple[int, float]:
    return (0, 0) if moment is None else (1, -moment.timestamp())


def _neg_s(text: str) -> list[int]:
    return [-ord(c) for c in text] + [1]  # a prefix sorts after its longer strings, descending


row = st.tuples(
    st.integers(0, 3),  # created_at: minutes after T0, many ties
    st.one_of(st.none(), st.integers(0, 2)),  # read_at: null or one of three moments
    st.sampled_from(["a", "ab", "b"]),  # title
    st.integers(0, 1),  # which user
)


def _make(users: list[Any], spec: tuple[int, int | None, str, int]) -> Notification:
    minutes, read, title, who = spec
    return Notification.objects.create(
        user=users[who],
        event_key=f"k{next(_keys)}",
        title=title,
        created_at=T0 + timedelta(minutes=minutes),
        read_at=None if read is None else T0 + timedelta(hours=read),
    )


def _listed(ordering: list[Any]) -> Any:
    qs = Notification.objects.select_related("user")
    return qs.order_by(*ordering) if ordering else qs


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(sorted(ORDERINGS)),
    rows=st.lists(row, min_size=0, max_size=14),
    added=st.lists(st.tuples(st.integers(0, 4), row), max_size=4),
    size=st.integers(1, 4),
)
def test_next_visits_every_row_once_in_order_and_previous_walks_back(name, rows, added, size):
    ordering, sort_key = ORDERINGS[name]
    with transaction.atomic():
        users = [make_user(None, None, username=f"u{next(_keys)}{c}") for c in "ab"]
        made = [_make(users, spec) for spec in rows]
        inserts = dict(added)  # after the n-th page, add a row
        seen: list[Notification] = []
        cursor, pages, number = None, [], 1
        while True:
            frame = window(_listed(ordering), cursor, size)
            assert frame.number == number
            assert len(frame.rows) <= size
            pages.append(frame)
            seen.extend(frame.rows)
            if len(pages) - 1 in inserts:
                made.append(_make(users, inserts.pop(len(pages) - 1)))
            if frame.next_cursor is None:
                break
            cursor, number = frame.next_cursor, number + 1
            assert len(pages) < 40
        ids = [n.pk for n in seen]
        assert len(ids) == len(set(ids)), "a row was doubled"
        assert ids == [n.pk for n in sorted(seen, key=sort_key)], "out of order"
        first_ids = {n.pk for n in made[: len(rows)]}
        assert first_ids <= set(ids), "a row was lost"
        # every row there now, in order, is what a fresh walk reads
        everything = sorted(
            Notification.objects.select_related("user").filter(pk__in=[m.pk for m in made]), key=sort_key
        )
        fresh, cursor = [], None
        while True:
            frame = window(_listed(ordering), cursor, size)
            fresh.extend(n.pk for n in frame.rows)
            if frame.next_cursor is None:
                break
            cursor = frame.next_cursor
        assert fresh == [n.pk for n in everything]
        # and previous from the last page walks back to the first, page by page
        back = window(_listed(ordering), frame.previous_cursor, size) if frame.previous_cursor else None
        walked = list(frame.rows)
        while back is not None:
            walked = list(back.rows) + walked
            assert back.next_cursor is not None
            back = window(_listed(ordering), back.previous_cursor, size) if back.previous_cursor else None
        assert [n.pk for n in walked] == fresh
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_previous_near_the_start_gives_the_whole_first_page():
    users = [make_user(None, None, username="near")]
    for minute in range(7):
        _make(users, (minute, None, "a", 0))
    second = window(_listed(["-created_at"]), window(_listed(["-created_at"]), None, 3).next_cursor, 3)
    third = window(_listed(["-created_at"]), second.next_cursor, 3)
    # a row added at the top: going back from the third page still ends on a full first page
    _make(users, (9, None, "a", 0))
    back = window(_listed(["-created_at"]), third.previous_cursor, 3)
    assert back.previous_cursor is not None  # the new row is before it
    first = window(_listed(["-created_at"]), back.previous_cursor, 3)
    while first.previous_cursor is not None:
        first = window(_listed(["-created_at"]), first.previous_cursor, 3)
    assert len(first.rows) == 3 and first.number == 1
    assert [n.pk for n in first.rows] == [n.pk for n in window(_listed(["-created_at"]), None, 3).rows]


@pytest.mark.django_db
def test_offset_window_goes_on_by_keyset():
    users = [make_user(None, None, username="off")]
    made = [_make(users, (m % 2, None, "a", 0)) for m in range(9)]
    qs = _listed(["-created_at"])
    expected = [n.pk for n in sorted(made, key=lambda n: (_neg(n.created_at), -n.pk))]
    page2 = offset_window(qs, 3, 3)
    assert [n.pk for n in page2.rows] == expected[3:6] and page2.number == 2
    assert [n.pk for n in window(qs, page2.next_cursor, 3).rows] == expected[6:9]
    assert [n.pk for n in window(qs, page2.previous_cursor, 3).rows] == expected[0:3]


def test_a_plain_list_pages_by_position():
    items = list(range(10))
    first = window(items, None, 4)
    second = window(items, first.next_cursor, 4)
    third = window(items, second.next_cursor, 4)
    assert (first.rows, second.rows, third.rows) == ([0, 1, 2, 3], [4, 5, 6, 7], [8, 9])
    assert third.next_cursor is None and window(items, third.previous_cursor, 4).rows == [4, 5, 6, 7]


@pytest.mark.django_db
def test_keys_have_a_tie_breaker_and_a_null_position():
    keys = ordering_keys(Notification.objects.order_by("read_at", "title"))
    assert [(k.descending, k.nulls_last) for k in keys] == [(False, True), (False, None), (False, None)]
    assert ordering_keys(Notification.objects.order_by("-pk"))[-1].descending is True
    assert len(ordering_keys(Notification.objects.order_by("-pk"))) == 1


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "",
        "x" * 5000,
        make_cursor({"k": "other", "v": [1, 2], "d": "n", "n": 2}),  # another list's
        make_cursor({"v": [{"dt": "not a date"}, 3], "d": "n"}),
        make_cursor({"d": "sideways"}),
    ],
)
@pytest.mark.django_db
def test_bad_cursors_are_refused(token):
    users = [make_user(None, None, username="bad")]
    _make(users, (0, None, "a", 0))
    good = window(_listed([]), None, 1)
    assert good.next_cursor is None
    with pytest.raises(BadCursor):
        if not token:
            raise BadCursor("empty")
        window(_listed([]), token, 1)


@pytest.mark.django_db
def test_a_tampered_cursor_is_refused_even_with_a_valid_shape():
    users = [make_user(None, None, username="tamper")]
    for minute in range(3):
        _make(users, (minute, None, "a", 0))
    token = window(_listed([]), None, 1).next_cursor
    assert read_cursor(token)["d"] == "n"
    data, signature = token.rsplit(":", 1)
    with pytest.raises(BadCursor):
        window(_listed([]), data[:-2] + "AA:" + signature, 1)


@pytest.mark.django_db
def test_a_page_with_a_bad_cursor_says_so_and_shows_the_first_page():
    users = [make_user(None, None, username="page")]
    for minute in range(5):
        _make(users, (minute, None, "a", 0))
    req = request(data={"cursor": "tampered"})
    page = paginate(req, _listed([]), per_page=2)
    assert page.number == 1 and not page.has_previous() and page.has_next()
    assert [str(m) for m in req._messages] == [
        "The link to this page is not valid any more; here is the first page."
    ] or len(list(req._messages)) == 1
    # the page's own links go on, and back
    nxt = paginate(request(data={"cursor": page.next_cursor}), _listed([]), per_page=2)
    assert nxt.number == 2 and nxt.start_index() == 3 and nxt.paginator.count == 5
    assert [n.pk for n in paginate(request(data={"cursor": nxt.previous_cursor}), _listed([]), 2)] == [
        n.pk for n in page
    ]


# ---- the API --------------------------------------------------------------------------------------


def _api(client: Any, path: str) -> Any:
    return client.get(f"/api/v1{path}")


def _list_endpoints(client: Any) -> list[str]:
    """Every GET of the OpenAPI document that takes a cursor and needs no other parameter."""
    spec = client.get("/api/v1/openapi.json").json()
    found = []
    for path, operations in spec["paths"].items():
        op = operations.get("get")
        if not op or "{" in path:
            continue
        params = {p["name"]: p for p in op.get("parameters", [])}
        if "cursor" in params and not any(p.get("required") for n, p in params.items() if n != "cursor"):
            found.append(path.removeprefix("/api/v1"))
    return found


@pytest.mark.django_db
def test_every_list_endpoint_pages_by_cursor_and_refuses_a_bad_one(tree, client):
    for n in range(3):
        make_user(Role.COMMUNITY_STAFF, tree.community_a1, username=f"staff{n}")
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    paths = _list_endpoints(client)
    assert "/cases" in paths and "/people" in paths and "/regions" in paths and len(paths) >= 20
    for path in paths:
        first = _api(client, f"{path}?limit=1")
        assert first.status_code == 200, (path, first.content[:300])
        body = first.json()
        assert {"items", "count", "limit", "next_cursor", "previous_cursor"} <= set(body), path
        assert body["previous_cursor"] is None, path
        if body["next_cursor"]:
            second = _api(client, f"{path}?limit=1&cursor={body['next_cursor']}").json()
            assert second["previous_cursor"] and second["items"] != body["items"], path
            back = _api(client, f"{path}?limit=1&cursor={second['previous_cursor']}").json()
            assert back["items"] == body["items"], path
        bad = _api(client, f"{path}?cursor=forged")
        assert bad.status_code == 400, (path, bad.content[:300])
        assert bad.json()["code"] == "bad_cursor" and bad.json()["message"], path


@pytest.mark.django_db
def test_api_walk_visits_every_region_once_and_offset_still_works(tree, client):
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    everything = [r["id"] for r in _api(client, "/regions?limit=500").json()["items"]]
    walked, cursor = [], ""
    while True:
        page = _api(client, f"/regions?limit=2{'&cursor=' + cursor if cursor else ''}").json()
        walked += [r["id"] for r in page["items"]]
        assert page["count"] == len(everything)
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert walked == everything
    old = _api(client, "/regions?limit=2&offset=1").json()
    assert old["offset"] == 1 and [r["id"] for r in old["items"]] == everything[1:3]
    assert [
        r["id"] for r in _api(client, f"/regions?limit=2&cursor={old['next_cursor']}").json()["items"]
    ] == (everything[3:5])
    # another list's cursor is refused
    foreign = _api(client, "/people?limit=1").json()["next_cursor"] or make_cursor(
        {"k": "x", "v": [1], "d": "n"}
    )
    assert _api(client, f"/regions?cursor={foreign}").status_code == 400


@pytest.mark.django_db
def test_openapi_describes_the_cursor(client):
    spec = client.get("/api/v1/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert "cursor" in params and "signed" in params["cursor"]["description"]
    assert params["offset"]["schema"].get("deprecated") or params["offset"].get("deprecated")


@pytest.mark.django_db
def test_values_grouped_by_an_aggregate_page_by_position():
    users = [make_user(None, None, username="grouped")]
    for title in ["a", "b", "b", "ab"]:
        _make(users, (0, None, title, 0))
    grouped = Notification.objects.values("title").annotate(n=Count("pk")).order_by("title")
    first = window(grouped, None, 2)
    second = window(grouped, first.next_cursor, 2)
    assert [r["title"] for r in first.rows + second.rows] == ["a", "ab", "b"]
    assert [r["n"] for r in first.rows + second.rows] == [1, 1, 2]
    assert window(Notification.objects.order_by("?"), None, 2).next_cursor is not None
