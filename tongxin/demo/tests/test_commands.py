"""`tongxin demo` and `tongxin demo_logins`."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongxin.demo import history
from tongxin.demo.generator.personas import DEMO_PASSWORD, PERSONAS
from tongxin.demo.selectors import demo_digest
from tongxin.demo.tests.conftest import TEST_PEOPLE
from tongxin.regions.models import Region


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_prints_a_summary_and_if_empty_keeps_the_data():
    output = run("demo", "--people", str(TEST_PEOPLE))
    assert "Grid 219" in output and f"people: {TEST_PEOPLE}" in output and "accounts: 13" in output
    digest, regions = demo_digest(), Region.objects.count()
    again = run("demo", "--if-empty", "--seed", "99")
    assert "left as it is" in again
    assert Region.objects.count() == regions and demo_digest() == digest
    with pytest.raises(CommandError):
        run("demo", "--people", str(TEST_PEOPLE))


@pytest.mark.django_db
def test_demo_refuses_bad_options():
    with pytest.raises(CommandError):
        run("demo", "--people", "10")
    with pytest.raises(CommandError):
        run("demo", "--scale", "0")
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_demo_logins_lists_every_persona_and_the_password():
    assert "No demo accounts" in run("demo_logins")
    run("demo", "--people", str(TEST_PEOPLE))
    output = run("demo_logins")
    assert DEMO_PASSWORD in output
    for persona in PERSONAS:
        assert f"  {persona.username} " in output
    assert "文昌社区第一网格 (529002001001001)" in output


@pytest.mark.django_db
def test_a_failing_step_fails_the_demo_and_names_the_step(monkeypatch):
    def broken(**_kwargs):
        raise RuntimeError("no escalation route")

    monkeypatch.setattr(history, "STEPS", (history.Step("cases", broken),))
    with pytest.raises(CommandError, match="The demo step 'cases' failed: RuntimeError: no escalation route"):
        run("demo", "--people", str(TEST_PEOPLE))
