"""Inputs that never crash (issue 12, item 8; SECURITY.md row 30): oversized bodies answer 413,
control characters are refused by the API and the forms alike, exports survive stored ones, and
the OpenAPI document declares the 404 and 422 answers."""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.api import api
from tongxin.core.forms import refuse_control_characters
from tongxin.core.roles import Role
from tongxin.core.validators import no_control_characters
from tongxin.core.xlsx import Column, workbook_bytes, xlsx_text
from tongxin.lib.validators import has_control_characters
from tongxin.people.forms import PersonForm
from tongxin.people.models import Person
from tongxin.testing import make_person, make_user
from tongxin.transfer.tests.helpers import read_xlsx

pytestmark = pytest.mark.django_db


def official_client(tree: Any) -> Client:
    client = Client()
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    return client


def post_json(client: Client, path: str, body: Any) -> Any:
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    "text, refused",
    [
        ("王芳", False),
        ("line one\nline two\ttabbed\r\n", False),
        ("王\x00芳", True),
        ("王\x07芳", True),
        ("bell\x1b[31m", True),
        ("del\x7f", True),
        ("c1\x85", True),
        ("rtl\u202eoverride", True),
    ],
)
def test_control_characters_are_told_apart_from_line_breaks(text, refused):
    assert has_control_characters(text) is refused
    assert has_control_characters(xlsx_text(text)) is False


def test_the_api_refuses_control_characters_in_any_text_of_a_body(tree):
    client = official_client(tree)
    response = post_json(client, "/people", {"name": "王\x07芳", "region": tree.community_a1.pk})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][0]["field"] == "name"
    assert "control characters" in body["errors"][0]["message"]
    assert not Person.objects.filter(name__startswith="王").exists()
    ok = post_json(
        client, "/people", {"name": "王芳", "region": tree.community_a1.pk, "address": "1号\n2单元"}
    )
    assert ok.status_code == 201, ok.content


def test_the_api_refuses_control_characters_in_a_query(tree):
    response = official_client(tree).get("/api/v1/people", {"q": "王\x00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


def test_every_form_text_field_refuses_control_characters(tree):
    refuse_control_characters()  # idempotent: the validator is there once
    from django import forms

    assert forms.CharField.default_validators.count(no_control_characters) == 1
    user = make_user(Role.STREET_OFFICIAL, tree.street_a)
    form = PersonForm(data={"name": "王\x07芳", "region": tree.community_a1.pk}, user=user)
    assert not form.is_valid()
    assert "control characters" in str(form.errors["name"])


def test_the_person_page_refuses_a_name_with_control_characters(tree):
    client = official_client(tree)
    response = client.post(reverse("people:create"), {"name": "王\x07芳", "region": tree.community_a1.pk})
    assert response.status_code == 200  # the form again, with its error
    assert "control characters" in response.content.decode()
    assert not Person.objects.filter(name__startswith="王").exists()


def test_exports_drop_control_characters_stored_before_they_were_refused(tree):
    # (no NUL: PostgreSQL cannot store it in text at all, so only SQLite could hold one)
    make_person(tree.grids["1.1"], name="王\x07芳\x1b")
    make_person(tree.grids["1.1"], name='=HYPERLINK("http://x")')
    client = official_client(tree)
    response = client.get(reverse("transfer:export", args=["people"]), {"root": tree.street_a.pk})
    assert response.status_code == 200
    names = {row[0] for row in read_xlsx(response.content)["人员"][1:]}
    assert "王芳" in names
    assert '=HYPERLINK("http://x")' in names  # text, never a formula
    content, count = workbook_bytes(
        [{"name": "a\x01b"}], [Column("Name", lambda row: row["name"])], title="people"
    )
    assert count == 1 and read_xlsx(content)["people"][1][0] == "ab"


def test_an_api_body_over_the_limit_answers_413_json(tree, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = official_client(tree)
    response = post_json(client, "/people", {"name": "x" * 4000, "region": tree.community_a1.pk})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_body_read_without_a_length_over_the_limit_answers_413(tree, settings):
    """No Content-Length (chunked): Django refuses while reading, Ninja's handler answers 413."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = official_client(tree)
    response = client.generic(
        "POST",
        "/api/v1/people",
        json.dumps({"name": "x" * 4000, "region": tree.community_a1.pk}),
        content_type="application/json",
        CONTENT_LENGTH="",
    )
    assert response.status_code in (413, 422)  # never a 500
    assert response.status_code != 500


def test_a_page_request_over_the_limit_answers_413(tree, settings):
    settings.TONGXIN_REQUEST_MAX_BYTES = 2048
    client = official_client(tree)
    response = client.post(reverse("people:create"), {"name": "x" * 5000})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_the_openapi_document_declares_the_errors_each_operation_can_give():
    schema = api.get_openapi_schema()
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert len(operations) > 100
    for operation in operations:
        responses = {str(code) for code in operation["responses"]}
        parameters = operation.get("parameters") or []
        if parameters or "requestBody" in operation:
            assert "422" in responses, operation["operationId"]
        if any(p["in"] == "path" for p in parameters):
            assert "404" in responses, operation["operationId"]
        if operation.get("security"):
            assert {"401", "403"} <= responses, operation["operationId"]
    assert {"ErrorOut", "FieldErrorOut"} <= set(schema["components"]["schemas"])


def test_bounded_parameters_refuse_out_of_range_values_with_422(tree):
    client = official_client(tree)
    for url in [
        f"/api/v1/people?offset={2**63}",
        f"/api/v1/people?limit={2**63}",
        f"/api/v1/regions/{2**63}",
        f"/api/v1/people/{2**31}",
    ]:
        response = client.get(url)
        assert response.status_code in (404, 422), (url, response.status_code)


def test_a_day_count_past_the_calendar_answers_422(tree):
    # found by schemathesis: /cadres/terms?ending_within_days=-884027579293051 was a 500
    client = official_client(tree)
    for days in (-1, 3661, -884027579293051):
        response = client.get(f"/api/v1/cadres/terms?ending_within_days={days}")
        assert response.status_code == 422, (days, response.status_code)


def test_two_operations_never_share_a_response_schema_by_name(client):
    # two classes named OrganisationOut (organisations, 两新 organisations) made one component:
    # the organisations list was then checked against the other app's fields
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "kind" in schemas["OrganisationOut"]["properties"]
    assert "charter" in schemas["TwoNewOrganisationOut"]["properties"]
