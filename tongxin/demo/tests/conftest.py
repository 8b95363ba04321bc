import pytest
from django.db import transaction
from django.test import override_settings

from tongxin.demo.generator import Options, Result, generate

# enough people for every post, few enough for a fast test
TEST_PEOPLE = 300
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def demo(db) -> Result:
    """Scale 1 through the services, with few people."""
    return generate(Options(people=TEST_PEOPLE, method="services"))


@pytest.fixture(scope="module")
def shared_demo(django_db_setup, django_db_blocker):
    """One scale-1 district for the tests of a module that only read it; rolled back at the end.

    Each test still runs in its own transaction (a savepoint inside this one).
    """
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        yield generate(Options(people=TEST_PEOPLE, method="services"))
        transaction.set_rollback(True)
