"""Word search through the bigram index (cases.search) finds exactly what the substring search
found, on SQLite (FTS5 kept by triggers) and PostgreSQL (GIN on tongxin_case_grams), and the index
follows every insert, update, delete and bulk insert."""

import random
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongxin.cases import search
from tongxin.cases.models import Case
from tongxin.cases.selectors import cases_search
from tongxin.cases.testing import report_case
from tongxin.core.roles import Role
from tongxin.core.tests.listing import api_items, login
from tongxin.demo.cases import bulk_cases
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db

# Chinese of the complaints, ASCII in both cases, digits, punctuation (full- and half-width),
# spaces, quotes and backslashes (the tsquery's own syntax) and the LIKE wildcards
ALPHABET = "楼道垃圾堆放漏水噪音灯电梯坏了水管井盖路aAbBcZ019 ，。！、：；,.!-_%'\"\\*&|()"
texts = st.text(alphabet=ALPHABET, min_size=0, max_size=24)


def _old(qs, q):
    """What the list searched before the index: codes by equality, the description by LIKE."""
    q = q.strip()
    if not q:
        return qs
    return qs.filter(Q(tracking_code=q.upper()) | Q(hotline_ticket=q) | Q(description__contains=q))


def _ids(qs):
    return set(qs.values_list("pk", flat=True))


def _copies(template: Case, descriptions: list[str]) -> list[Case]:
    """Cases like the template with other descriptions, written in one bulk insert (as the bulk
    writer and a COPY do: no service, no signal)."""
    rows = []
    for i, text in enumerate(descriptions):
        row = Case.objects.get(pk=template.pk)
        row.pk = None
        row.tracking_code = f"T{i:09d}"
        row.description = text
        rows.append(row)
    return Case.objects.bulk_create(rows)


@pytest.fixture
def template(tree):
    return report_case(tree, description="楼道灯坏了")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    descriptions=st.lists(texts, min_size=1, max_size=8),
    picks=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 24), st.integers(1, 5)), max_size=6),
    queries=st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=5), max_size=6),
)
def test_indexed_search_is_the_substring_search(template, descriptions, picks, queries):
    """Random texts; queries of 1, 2, 3+ characters cut from them (found) or made up (mostly not)."""
    cut = [descriptions[i % len(descriptions)][start : start + size] for i, start, size in picks]
    with transaction.atomic():
        _copies(template, descriptions)
        everything = Case.objects.all()
        for q in [*cut, *queries]:
            assert _ids(cases_search(everything, q)) == _ids(_old(everything, q)), q
            # and nothing is found that does not contain it (by the database's own LIKE rules)
            for case in cases_search(everything, q):
                if q.strip():
                    assert case.tracking_code == q.strip().upper() or _contains(case.description, q.strip())
        transaction.set_rollback(True)


def _contains(text: str, q: str) -> bool:
    if connection.vendor == "sqlite":  # SQLite's LIKE ignores the case of ASCII letters
        return q.lower() in text.lower() if q.isascii() else _ascii_fold(q) in _ascii_fold(text)
    return q in text


def _ascii_fold(text: str) -> str:
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


@pytest.mark.parametrize(
    "q", ["垃圾", "漏水", "楼道灯", "水", "圾", "A", "ab", "a，b", "，", "%", "_", "'", "\\"]
)
def test_examples(template, q):
    made = _copies(
        template,
        [
            "楼下垃圾桶满了",
            "楼道水管漏水",
            "楼道灯不亮",
            "AB 门禁坏了",
            "x，a，b",
            "100%完成",
            "a_b",
            "it's",
            "C:\\路径",
        ],
    )
    everything = Case.objects.filter(pk__in=[c.pk for c in made])
    expected = _ids(everything.filter(description__contains=q))
    assert _ids(cases_search(everything, q)) == expected
    if q in ("垃圾", "漏水", "楼道灯", "水"):
        assert expected  # the examples do find something


def test_the_index_follows_insert_update_and_delete(template):
    everything = Case.objects.all()
    assert _ids(cases_search(everything, "灯坏")) == {template.pk}
    Case.objects.filter(pk=template.pk).update(description="电梯停在半路")
    assert not _ids(cases_search(everything, "灯坏"))
    assert _ids(cases_search(everything, "半路")) == {template.pk}
    template.refresh_from_db()
    template.description = "井盖丢了"
    template.save()
    assert _ids(cases_search(everything, "井盖")) == {template.pk}
    assert not _ids(cases_search(everything, "半路"))
    pk = template.pk
    Case.objects.filter(pk=pk).delete()
    assert not _ids(cases_search(everything, "井盖"))
    if connection.vendor == "sqlite":  # nothing is left behind in the FTS table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {search.SQLITE_TABLE} WHERE rowid = %s", [pk])
            assert cursor.fetchone()[0] == 0


def test_the_search_uses_the_index(template):
    """The plan reads the bigram index, not the descriptions of the scope."""
    qs = cases_search(Case.objects.all(), "垃圾")
    plan = qs.explain()
    if connection.vendor == "postgresql":
        assert "case_description_grams" in plan or "Seq Scan" in plan  # one row: the planner may scan
        with transaction.atomic(), connection.cursor() as cursor:  # as on a big table: no full scan
            # this test's rows, not what another test's ANALYZE left (statistics outlive a rollback)
            cursor.execute("ANALYZE cases_case")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            assert "case_description_grams" in cases_search(Case.objects.all(), "垃圾").order_by().explain()
    else:
        assert search.SQLITE_TABLE in plan and "VIRTUAL TABLE" in plan


def test_bulk_writer_rows_are_searchable(tree):
    bulk_cases(40, rng=random.Random(7))
    everything = Case.objects.all()
    assert everything.count() >= 40
    for q in ["垃圾", "漏水", "楼道", "咨询"]:
        assert _ids(cases_search(everything, q)) == _ids(everything.filter(description__contains=q))
    assert _ids(cases_search(everything, "垃圾"))


def test_codes_tickets_scope_and_order(tree):
    now = timezone.now()
    a_old = report_case(tree, now=now - timedelta(days=3), description="楼道垃圾堆放多日")
    a_new = report_case(tree, now=now - timedelta(days=1), description="又有垃圾堆放了")
    ticket = report_case(
        tree, now=now - timedelta(days=2), description="电梯又坏了啊", hotline_ticket="GD2026120700123"
    )
    b = report_case(tree, at=(120.645, 31.31), community=tree.community_b1, description="垃圾没人清运")
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    client = login(official)

    count, items = api_items(client, "/api/v1/cases", q="垃圾")
    assert count == 2
    assert [i["tracking_code"] for i in items] == [a_new.tracking_code, a_old.tracking_code]
    assert b.tracking_code not in {i["tracking_code"] for i in items}  # another street: not found
    count, items = api_items(client, "/api/v1/cases", q=a_old.tracking_code.lower())
    assert count == 1 and items[0]["tracking_code"] == a_old.tracking_code
    count, items = api_items(client, "/api/v1/cases", q="GD2026120700123")
    assert count == 1 and items[0]["tracking_code"] == ticket.tracking_code
    count, _items = api_items(client, "/api/v1/cases", q=b.tracking_code)
    assert count == 0  # a code outside the scope is not found either

    page = client.get("/cases/?q=垃圾")
    assert page.status_code == 200
    listed = [c.pk for c in page.context["page"].object_list]
    assert listed == [a_new.pk, a_old.pk]
