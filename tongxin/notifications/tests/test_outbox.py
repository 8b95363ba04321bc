"""The one outbox: every workflow's transition table is registered, carries its partial index, and
is worked through by one job."""

import pytest
from django.db import connection

from tongxin.jobs import registry
from tongxin.notifications.outbox import load_sources


def test_every_workflows_transition_table_is_an_outbox_source():
    sources = load_sources()
    tables = {source.model._meta.label for source in sources.values()}
    assert tables == {
        "cases.CaseTransition",
        "lists.NeedTransition",
        "lists.ProjectTransition",
        "venues.BookingTransition",
    }
    for source in sources.values():
        names = {field.name for field in source.model._meta.get_fields()}
        assert {"at", "actor", "processed_at"} <= names, source.name


@pytest.mark.django_db
def test_each_outbox_table_has_a_partial_index_on_its_unprocessed_rows():
    for source in load_sources().values():
        table = source.model._meta.db_table
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        assert f"{source.name.replace('-', '_')}_outbox" in constraints, table


def test_one_job_works_through_the_outbox():
    registry.load_all()
    assert "notifications.outbox" in registry.PERIODIC
    assert "cases.outbox" not in registry.HANDLERS
