"""The seals of the important tables (SECURITY.md row 18): a row changed or deleted behind the
application's back is reported; what the services change is sealed anew; rows written in bulk are
sealed by the job; a seal cannot be made again without the key."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tongxin.audit.integrity import SEALED, seal_missing, verify
from tongxin.audit.models import Seal
from tongxin.cases.config_services import category_save
from tongxin.cases.models import CaseTransition
from tongxin.cases.testing import category, report_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sealed_defaults(db):
    """The default configuration is written by data migrations, before any seal: the job seals it."""
    seal_missing()


def _raw(sql: str, *params: str | int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_case_history_and_configuration_are_registered():
    assert {"cases.CaseTransition", "cases.CaseCategory", "cases.RateRuleSet", "cases.WhistleType"} <= set(
        SEALED
    )


def test_a_transition_written_by_the_services_is_sealed_and_checks_out(tree):
    case = report_case(tree)
    row = CaseTransition.objects.get(case=case)
    assert Seal.objects.filter(label="cases.CaseTransition", object_id=row.pk).exists()
    report = verify()
    assert report.intact, report.problems
    assert report.checked >= 1


def test_a_row_changed_behind_the_applications_back_is_reported(tree):
    row = CaseTransition.objects.get(case=report_case(tree))
    table = CaseTransition._meta.db_table
    _raw(f"UPDATE {table} SET reason = %s WHERE id = %s", "改过的记录", row.pk)
    report = verify()
    assert report.problems == [f"cases.CaseTransition #{row.pk}: changed outside Tongxin"]
    with pytest.raises(CommandError):
        call_command("verify_integrity")


def test_a_row_deleted_behind_the_applications_back_is_reported(tree):
    row = CaseTransition.objects.get(case=report_case(tree))
    _raw(f"DELETE FROM {CaseTransition._meta.db_table} WHERE id = %s", row.pk)
    assert verify().problems == [f"cases.CaseTransition #{row.pk}: deleted outside Tongxin"]


def test_a_change_through_the_services_is_sealed_anew():
    food = category("0101")
    fields = (
        "code",
        "name",
        "parent",
        "response_hours",
        "closure_hours",
        "warn_share",
        "auto_whistle",
        "active",
    )
    category_save(
        category=food, **{name: getattr(food, name) for name in fields}, handling_hours=Decimal("12")
    )
    assert verify().intact
    # the outbox's mark is not covered: the notifier may set it
    CaseTransition.objects.update(processed_at=None)
    assert verify().intact


def test_rows_written_in_bulk_wait_for_the_job_and_are_then_sealed(tree):
    case = report_case(tree)
    first = CaseTransition.objects.get(case=case)
    bulk = CaseTransition.objects.bulk_create(
        [
            CaseTransition(
                case=case,
                action="supervise",
                from_status=first.to_status,
                to_status=first.to_status,
                at=first.at,
            )
        ]
    )
    report = verify()
    assert report.intact and report.unsealed == 1
    assert seal_missing() == 1
    report = verify()
    assert report.intact and report.unsealed == 0
    assert Seal.objects.filter(label="cases.CaseTransition", object_id=bulk[0].pk).exists()


def test_the_job_seals_a_bulk_load_over_several_runs_in_key_order(tree):
    case = report_case(tree)
    first = CaseTransition.objects.get(case=case)
    rows = CaseTransition.objects.bulk_create(
        [
            CaseTransition(
                case=case,
                action="supervise",
                from_status=first.to_status,
                to_status=first.to_status,
                at=first.at,
            )
            for _ in range(5)
        ]
    )
    assert verify().unsealed == 5
    # batches of two, at most three rows a run: the first run stops after two batches (four rows)
    assert seal_missing(batch=2, at_most=3) == 4
    sealed_ids = set(Seal.objects.filter(label="cases.CaseTransition").values_list("object_id", flat=True))
    assert {r.pk for r in rows[:4]} <= sealed_ids and rows[4].pk not in sealed_ids
    assert seal_missing(batch=2, at_most=3) == 1
    assert seal_missing(batch=2, at_most=3) == 0
    report = verify()
    assert report.intact and report.unsealed == 0


def test_a_seal_made_again_without_the_key_does_not_check_out(tree, settings):
    row = CaseTransition.objects.get(case=report_case(tree))
    table = CaseTransition._meta.db_table
    _raw(f"UPDATE {table} SET reason = %s WHERE id = %s", "改过的记录", row.pk)
    key = settings.AUDIT_CHAIN_KEY
    settings.AUDIT_CHAIN_KEY = "a guess at the key"
    Seal.objects.filter(label="cases.CaseTransition", object_id=row.pk).delete()
    assert seal_missing() == 1  # sealed with the wrong key, as someone without it would
    settings.AUDIT_CHAIN_KEY = key
    assert verify().problems == [f"cases.CaseTransition #{row.pk}: changed outside Tongxin"]


def test_a_new_row_sealed_from_what_was_saved_checks_out_as_stored(tree):
    """A new transition is sealed from the saved instance, not read back: what the database gives
    back (a datetime in UTC, JSON decoded, a status as text) must seal the same, or `verify` would
    report rows changed that nobody touched."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tongxin.audit.integrity import FROM_INSTANCE, _stored, seal_of
    from tongxin.cases.models import CaseStatus

    assert "cases.CaseTransition" in FROM_INSTANCE
    case = report_case(tree)
    at = datetime(2026, 12, 7, 23, 59, 59, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    row = CaseTransition.objects.create(
        case=case,
        action="comment",
        from_status=CaseStatus.REPORTED,
        to_status=CaseStatus.REPORTED,
        actor_label="社区书记 · 王芳",
        reason="居民说：“垃圾已清运”",
        data={"z": [1, 2.5, None, True, 0.1], "a": {"嵌套": "值", "b": 1}, "on": "2026-12-07"},
        at=at,
    )
    seal = Seal.objects.get(label="cases.CaseTransition", object_id=row.pk)
    stored = _stored(CaseTransition, SEALED["cases.CaseTransition"], [row.pk])[row.pk]
    assert seal.digest == seal_of("cases.CaseTransition", row.pk, stored, seal.scheme)
    report = verify()
    assert report.intact, report.problems
