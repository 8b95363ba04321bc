"""The read-replica router (tongxin/core/dbrouter.py): its decisions on any database, then the real
thing against a streaming standby that `PG_REPLICA=1 sh scripts/with-postgres.sh` starts."""

import socket
import time
from typing import Any

import pytest
from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongxin.cases.models import Case
from tongxin.cases.testing import report_case
from tongxin.cases.tests.cast import build_cast
from tongxin.core import dbrouter
from tongxin.core.dbrouter import PIN_COOKIE, REPLICA, ReplicaRouter, may_lag, request_scope


class Plain:
    class _meta:  # a model's shape, as the router reads it
        app_label, model_name = "cases", "case"


class Session:
    class _meta:
        app_label, model_name = "sessions", "session"


@pytest.fixture
def router(monkeypatch) -> ReplicaRouter:
    """The router's decisions with a replica that always answers."""
    monkeypatch.setattr(dbrouter, "_check_replica", lambda: True)
    return ReplicaRouter()


def test_reads_outside_a_request_or_a_may_lag_view_use_the_primary(router):
    assert router.db_for_read(Plain) == "default"  # the worker, commands, the demo
    with may_lag():
        assert router.db_for_read(Plain) == "default"  # even inside code marked may-lag
    with request_scope():
        assert router.db_for_read(Plain) == "default"
        with may_lag():
            assert router.db_for_read(Plain) == REPLICA
        assert router.db_for_read(Plain) == "default"  # the block ended


def test_a_may_lag_view_reads_the_replica_for_the_rest_of_its_request(router):
    @may_lag
    def view() -> str:
        return router.db_for_read(Plain)

    with request_scope():
        assert view() == REPLICA
        assert router.db_for_read(Plain) == REPLICA  # Ninja and templates read after it returns
    assert router.db_for_read(Plain) == "default"


def test_after_a_write_the_request_reads_the_primary(router):
    with request_scope() as state, may_lag():
        assert router.db_for_read(Plain) == REPLICA
        assert router.db_for_write(Plain) == "default"
        assert state.wrote
        assert router.db_for_read(Plain) == "default"


def test_bookkeeping_never_reads_the_replica_and_its_writes_do_not_pin(router):
    with request_scope() as state, may_lag():
        assert router.db_for_read(Session) == "default"
        assert router.db_for_write(Session) == "default"
        assert not state.wrote
        assert router.db_for_read(Plain) == REPLICA


def test_the_database_cache_is_bookkeeping(router):
    """Django's database cache routes a bare model whose Options has no label (rate counts)."""
    entry = DatabaseCache("tongxin_cache", {}).cache_model_class
    with request_scope() as state, may_lag():
        assert router.db_for_read(entry) == "default"
        assert router.db_for_write(entry) == "default"
        assert not state.wrote


def test_a_pinned_browser_reads_the_primary(router):
    with request_scope(pinned=True), may_lag():
        assert router.db_for_read(Plain) == "default"


def test_an_unavailable_replica_sends_reads_to_the_primary(monkeypatch):
    monkeypatch.setattr(dbrouter, "_check_replica", lambda: False)
    with request_scope(), may_lag():
        assert ReplicaRouter().db_for_read(Plain) == "default"


def test_migrations_never_run_on_the_replica():
    assert ReplicaRouter().allow_migrate(REPLICA, "cases") is False
    assert ReplicaRouter().allow_migrate("default", "cases") is None


def test_no_replica_setting_no_router_and_no_cookie(client, db):
    if REPLICA in settings.DATABASES:
        pytest.skip("a replica is configured in this run")
    assert not settings.DATABASE_ROUTERS
    response = client.get(reverse("login"))
    assert PIN_COOKIE not in response.cookies


# --- against a real streaming standby -------------------------------------------------------------

needs_standby = pytest.mark.skipif(
    REPLICA not in settings.DATABASES
    or settings.DATABASES["default"]["ENGINE"].split(".")[-1] != "postgresql",
    reason="needs a standby: PG_REPLICA=1 sh scripts/with-postgres.sh .venv/bin/pytest <this file>",
)
# committed rows (the standby sees nothing of a test's open transaction), restored afterwards
on_standby = [
    needs_standby,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", REPLICA]),
]


def wait_for_replay(timeout: float = 10) -> None:
    """Replication lag: wait until the standby has replayed everything the primary has written (its
    insert position: with synchronous_commit=off a commit may not be written out yet)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.05)


def in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return bool(cursor.fetchone()[0])


@pytest.fixture
def street_case(tree) -> Any:
    dbrouter.reset_replica_health()
    cast = build_cast(tree)
    case = report_case(tree, description="楼道灯坏了，晚上看不见路")
    wait_for_replay()
    yield tree, cast, case
    dbrouter.reset_replica_health()


def case_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"cases_case"' in q["sql"]]


class TestAgainstAStandby:
    pytestmark = on_standby

    def test_the_case_list_reads_the_standby(self, client, street_case):
        _tree, cast, case = street_case
        assert not in_recovery("default") and in_recovery(REPLICA)
        assert settings.DATABASES[REPLICA]["PORT"] != settings.DATABASES["default"]["PORT"]
        client.force_login(cast.street)
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = client.get(reverse("cases:list"))
        assert response.status_code == 200
        assert case.tracking_code in response.content.decode()
        assert case_queries(on_replica) and not case_queries(on_primary)
        assert PIN_COOKIE not in response.cookies  # a read pins nothing

    def test_the_case_list_api_reads_the_standby(self, client, street_case):
        _tree, cast, case = street_case
        client.force_login(cast.street)
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            response = client.get("/api/v1/cases")
        assert response.status_code == 200
        assert case.tracking_code in response.content.decode()
        assert case_queries(on_replica)  # the page is serialised after the function returned

    def test_the_standby_refuses_a_write_and_the_router_writes_to_the_primary(self, street_case):
        _tree, _cast, case = street_case
        with pytest.raises(DatabaseError, match="read-only"), connections[REPLICA].cursor() as cursor:
            cursor.execute("UPDATE cases_case SET description = 'x' WHERE id = %s", [case.pk])
        with request_scope(), may_lag():
            with CaptureQueriesContext(connections["default"]) as on_primary:
                Case.objects.filter(pk=case.pk).update(description="路灯已报修")
            assert any(q["sql"].startswith("UPDATE") for q in on_primary.captured_queries)
        wait_for_replay()
        assert Case.objects.using(REPLICA).get(pk=case.pk).description == "路灯已报修"

    def test_a_read_after_a_write_in_the_same_request_reads_the_primary(self, street_case):
        _tree, _cast, case = street_case
        with request_scope(), may_lag():
            with CaptureQueriesContext(connections[REPLICA]) as on_replica:
                assert Case.objects.get(pk=case.pk).description == "楼道灯坏了，晚上看不见路"
            assert case_queries(on_replica)
            Case.objects.filter(pk=case.pk).update(description="已修好")
            with CaptureQueriesContext(connections[REPLICA]) as on_replica:
                assert Case.objects.get(pk=case.pk).description == "已修好"  # not the standby's copy
            assert not on_replica.captured_queries

    def test_after_a_post_the_redirected_list_reads_the_primary(self, client, street_case):
        _tree, cast, case = street_case
        client.force_login(cast.secretary)
        response = client.post(
            reverse("cases:act", args=[case.pk, "accept"]),
            {"accept-expected_version": case.version, "next": reverse("cases:list")},
        )
        assert response.status_code == 302
        pin = response.cookies[PIN_COOKIE]
        assert pin["max-age"] == settings.TONGXIN_REPLICA_PIN_SECONDS and pin["httponly"]
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            listed = client.get(response["Location"])
        assert listed.status_code == 200 and case.tracking_code in listed.content.decode()
        assert not on_replica.captured_queries  # read-your-writes, whatever the standby's lag
        client.cookies.pop(PIN_COOKIE)
        wait_for_replay()
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            client.get(reverse("cases:list"))
        assert case_queries(on_replica)  # the window over, lists read the standby again

    def test_a_standby_too_far_behind_is_skipped(self, client, street_case, settings, caplog):
        tree, cast, _case = street_case
        settings.TONGXIN_REPLICA_MAX_LAG_SECONDS = 1
        client.force_login(cast.street)
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")
        try:
            fresh = report_case(tree, description="新的诉求：小区门口积水")
            time.sleep(1.5)
            assert not _standby_has(fresh.pk)  # the standby is behind
            with CaptureQueriesContext(connections[REPLICA]) as on_replica:
                response = client.get(reverse("cases:list"))
            assert fresh.tracking_code in response.content.decode()
            assert not case_queries(on_replica)
            assert "behind, reading from the primary" in caplog.text
        finally:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT pg_wal_replay_resume()")
        wait_for_replay()
        assert _standby_has(fresh.pk)

    def test_the_app_works_when_the_standby_is_down(self, client, street_case, monkeypatch, caplog):
        _tree, cast, case = street_case
        connections[REPLICA].close()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed_port = s.getsockname()[1]
        monkeypatch.setitem(connections[REPLICA].settings_dict, "PORT", closed_port)
        client.force_login(cast.street)
        for _ in range(2):  # the second request does not try again within the retry window
            response = client.get(reverse("cases:list"))
            assert response.status_code == 200 and case.tracking_code in response.content.decode()
        assert caplog.text.count("read replica unavailable") == 1
        connections[REPLICA].close()

    def test_a_test_transaction_keeps_reads_on_the_primary(self, street_case):
        """The normal suite runs each test in a transaction on the primary: the router never reads
        the standby there, so tests that do not ask for it pass with a replica configured."""
        with request_scope(), may_lag(), transaction.atomic():
            with CaptureQueriesContext(connections[REPLICA]) as on_replica:
                Case.objects.count()
            assert not on_replica.captured_queries


def _standby_has(pk: int) -> bool:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT 1 FROM cases_case WHERE id = %s", [pk])
        return cursor.fetchone() is not None
