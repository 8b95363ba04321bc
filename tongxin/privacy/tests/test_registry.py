"""Row 23 (collect only what is needed: a registry of personal-data fields checked against the
models) and row 37 (the processing-activity record in docs tied to the registry's digest)."""

import re

import pytest
from django.apps import apps
from django.urls import reverse

from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.privacy.record import DOC, END, recorded_part, render_record
from tongxin.privacy.registry import NOT_PERSONAL, REGISTRY, registry_digest
from tongxin.testing import make_user

# a field whose name says it may hold personal information
LOOKS_PERSONAL = re.compile(
    r"phone|mobile|id_number|id_card|name|address|birth|email|wechat|contact|encrypted|ethnic|gender"
    r"|certificate|(^|_)ip($|_)|(^|_)place|employer",
    re.IGNORECASE,
)


def _personal_looking_fields() -> set[tuple[str, str]]:
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if LOOKS_PERSONAL.search(field.name):
                found.add((model._meta.label, field.name))
    return found


def test_every_field_that_looks_personal_is_registered_or_explained():
    registered = {entry.key for entry in REGISTRY}
    missing = _personal_looking_fields() - registered - set(NOT_PERSONAL)
    assert not missing, (
        f"register these in tongxin/privacy/registry.py (or explain in NOT_PERSONAL): {sorted(missing)}"
    )


def test_every_encrypted_field_is_registered_as_encrypted():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.name.endswith("_encrypted"):
                if (model._meta.label, field.name) in NOT_PERSONAL:
                    continue  # a secret of another system, encrypted the same way, not personal
                entry = next((e for e in REGISTRY if e.key == (model._meta.label, field.name)), None)
                assert entry is not None and entry.protection == "encrypted", (model, field.name)


def test_the_registry_names_only_fields_that_exist_once():
    keys = [entry.key for entry in REGISTRY]
    assert len(keys) == len(set(keys))
    assert not set(keys) & set(NOT_PERSONAL)
    for label, name in [*keys, *NOT_PERSONAL]:
        app_label, model_name = label.split(".")
        if not any(config.label == app_label for config in apps.get_app_configs()):
            continue  # an optional app that is not installed here
        apps.get_model(app_label, model_name)._meta.get_field(name)  # raises if it is gone


def test_a_field_missing_from_the_registry_is_caught(monkeypatch):
    monkeypatch.setattr("tongxin.privacy.tests.test_registry.REGISTRY", REGISTRY[1:])
    with pytest.raises(AssertionError, match="reporter_name"):
        test_every_field_that_looks_personal_is_registered_or_explained()


def test_the_record_in_docs_matches_the_registry():
    """Row 37: the registry changed but docs/privacy.md was not regenerated (`tongxin privacy_record`)."""
    text = DOC.read_text(encoding="utf-8")
    assert registry_digest() in text
    assert recorded_part(text) == render_record(), "run `tongxin privacy_record` and review docs/privacy.md"


def test_the_record_keeps_its_impact_assessment_audit_and_breach_runbook():
    text = DOC.read_text(encoding="utf-8")
    for heading in (
        "## Processing-activity record",
        "## Retention schedule",
        "## Impact assessment",
        "## Compliance audit",
        "## Breach runbook",
    ):
        assert heading in text, heading
    assert text.index(END) < text.index("## Breach runbook")


def test_the_digest_changes_with_what_the_registry_says(monkeypatch):
    before = registry_digest()
    monkeypatch.setattr("tongxin.privacy.registry.REGISTRY", REGISTRY[:-1])
    assert registry_digest() != before


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDITOR])
def test_the_security_administrator_and_the_auditor_read_the_registry(tree, role):
    response = login(make_user(role, tree.city)).get(reverse("privacy:registry"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "reporter&#x27;s phone number" in body or "reporter's phone number" in body
    assert body.count("<tr>") == len(REGISTRY) + 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COMMUNITY_STAFF, Role.SYSTEM_ADMIN])
def test_others_do_not(tree, role):
    response = login(make_user(role, tree.city)).get(reverse("privacy:registry"))
    assert response.status_code in (403, 404)
