import pytest
from django.db import transaction
from django.test import override_settings

from tongxin.demo.generator import DEFAULT_SEED, Options, generate
from tongxin.demo.history import write_history

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    """A small demo district with a year of cases, co-building and member life, written through the
    services (the same steps as `tongxin demo`); rolled back at the end of the module."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        result = generate(Options(people=300, method="services"))
        write_history(seed=DEFAULT_SEED)
        yield result
        transaction.set_rollback(True)
