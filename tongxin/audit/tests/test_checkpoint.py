import pytest

from tongxin.audit.models import AuditCheckpoint, AuditEvent
from tongxin.audit.services import audit_check, audit_record

pytestmark = pytest.mark.django_db


def _events(n):
    return [audit_record(action="login", username=f"u{i}") for i in range(n)]


def test_incremental_check_walks_only_new_events_and_full_check_finds_old_tampering(
    django_assert_max_num_queries,
):
    events = _events(5)
    assert audit_check() == (True, None)
    assert AuditCheckpoint.objects.get().verified_up_to == events[-1].pk
    _events(2)
    assert audit_check() == (True, None)
    # an old, already verified event is changed outside Tongxin
    AuditEvent.objects.filter(pk=events[1].pk).update(target="changed")
    assert audit_check() == (True, None)  # the quick check only looks at new events …
    assert audit_check(full=True) == (False, events[1].pk)  # … the hourly full walk finds it
    assert audit_check() == (False, events[1].pk)  # and the page keeps saying so


def test_check_of_an_empty_trail():
    assert audit_check() == (True, None)
    assert audit_check(full=True) == (True, None)
