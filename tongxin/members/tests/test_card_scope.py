"""Issue 12, item 6: an employer reads its own members' cards only, never through a parent
committee's subtree; on the list, the card page, the Excel export and the API alike."""

import io
import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.accounts.services import token_create
from tongxin.members import selectors
from tongxin.members.testing import make_employer, make_post, make_report
from tongxin.people.models import PositionKind
from tongxin.people.services import position_create
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


def _secretary_of(organisation):
    person = make_person(organisation.region)
    user = make_user(None, None)
    user.person = person
    user.save()
    position_create(
        person=person, kind=PositionKind.SECRETARY, organisation=organisation, starts_on=date(2020, 1, 1)
    )
    return user


@pytest.fixture
def setup(tree):
    post = make_post(tree.community_a1)
    unit = make_employer(tree)  # its committee sits under the county committee
    report = make_report(
        make_member(tree.building, tree.orgs["grid_branch"]), post, unit=unit, on=date(2020, 1, 1)
    )
    return {
        "report": report,
        "own": _secretary_of(unit.party_organisation),
        "parent": _secretary_of(tree.orgs["county"]),  # the committee above the employer's
    }


def _year():
    return str((timezone.localdate() - timedelta(days=1)).year)


def test_a_parent_committee_reads_no_card_of_an_organisation_under_it(setup):
    report = setup["report"]
    assert set(selectors.card_reports(setup["own"])) == {report}
    assert set(selectors.card_reports(setup["parent"])) == set()


def test_pages_export_and_api_refuse_the_parent_committee(setup):
    from openpyxl import load_workbook

    report, year = setup["report"], _year()
    own, parent = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    own.force_login(setup["own"])
    parent.force_login(setup["parent"])
    assert own.get(reverse("members:card", args=[report.pk]), {"period": year}).status_code == 200
    assert parent.get(reverse("members:card", args=[report.pk]), {"period": year}).status_code == 404
    assert report.person.name in own.get(reverse("members:cards"), {"period": year}).content.decode()
    assert report.person.name not in parent.get(reverse("members:cards"), {"period": year}).content.decode()
    export = parent.get(reverse("members:cards_export"), {"period": year})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1  # the header only
    for user, expected in ((setup["own"], [report.pk]), (setup["parent"], [])):
        _token, secret = token_create(user=user, name="test")
        response = Client().get(
            f"/api/v1/members/cards?period={year}", headers={"Authorization": f"Bearer {secret}"}
        )
        assert [c["report"]["id"] for c in json.loads(response.content)] == expected
        record = Client().get(
            f"/api/v1/members/people/{report.person_id}/record", headers={"Authorization": f"Bearer {secret}"}
        )
        assert record.status_code == (200 if expected else 404)
