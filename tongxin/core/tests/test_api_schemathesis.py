"""Every operation of /api/v1/openapi.json, fuzzed by schemathesis as an official on a demo district.

SECURITY.md row 30: input is validated against the schema, never a 5xx, every response conforms to
the documented schema and status codes. Examples per operation are bounded and derandomised, so
the run is reproducible and stays within a few minutes on two cores.
"""

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from tongxin.accounts.models import User
from tongxin.accounts.services import token_create
from tongxin.demo.generator import Options, generate

# one worker builds the district once; PostgreSQL runs skip it (`-m "not fuzz"`)
pytestmark = [pytest.mark.xdist_group("schemathesis"), pytest.mark.fuzz, pytest.mark.django_db]

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EXAMPLES = 15
# the official whose scope reaches most of the district: the county's organisation department
PERSONA = "zuzhibu"


@pytest.fixture(scope="module")
def district_token(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """A small demo district and an API token of a county official; rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        generate(Options(people=300, method="services"))
        _token, secret = token_create(user=User.objects.get(username=PERSONA), name="schemathesis")
        yield secret
        transaction.set_rollback(True)


# the document is built from the code alone (no database), so it is read once at collection
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
# the work report rendered as a PDF or Word file takes a second or more each time: fewer examples
RENDERED = r"/statistics/reports/(pdf|docx)$"
RENDERED_EXAMPLES = 3
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def bounded(examples: int) -> Any:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


@schema.exclude(path_regex=RENDERED).parametrize()
@bounded(EXAMPLES)
def test_every_operation(case: Any, district_token: str, db: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {district_token}"}, checks=CHECKS)


@schema.include(path_regex=RENDERED).parametrize()
@bounded(RENDERED_EXAMPLES)
def test_the_rendered_reports(case: Any, district_token: str, db: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {district_token}"}, checks=CHECKS)
