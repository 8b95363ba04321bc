"""Co-building pages: hub, units, alliances, pairings with the scoped agreement file, duty check."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongxin.core.roles import Role
from tongxin.partners.models import Alliance, PartnerUnit
from tongxin.partners.services import agreement_add
from tongxin.partners.testing import build_cobuilding
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


def login(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_hub_for_official_and_liaison(cast, tree):
    hub = login(cast.street).get(reverse("partners:index"))
    assert hub.status_code == 200 and hub.context["can_manage"]
    assert "expiring" in hub.context and "claimable" not in hub.context
    hub = login(cast.liaison_a).get(reverse("partners:index"))
    assert hub.context["my_units"] == [cast.unit_a] and "expiring" not in hub.context
    assert Client().get(reverse("partners:index")).status_code == 302
    assert (
        login(make_user(Role.GRID_WORKER, tree.community_a1)).get(reverse("partners:index")).status_code
        == 403
    )
    assert login(cast.street).post(reverse("partners:index")).status_code == 405


def test_register_and_edit_a_unit(cast, tree):
    client = login(cast.street)
    response = client.post(
        reverse("partners:unit_create"),
        {
            "name": "双塔物业",
            "kind": "property_firm",
            "region": tree.community_a1.pk,
            "red_property": "on",
            "joined_on": "2026-02-01",
        },
    )
    unit = PartnerUnit.objects.get(name="双塔物业")
    assert response.status_code == 302 and response.url == unit.get_absolute_url()
    assert unit.red_property and unit.joined_on == date(2026, 2, 1)
    response = client.post(
        reverse("partners:unit_create"),
        {"name": "双塔物业", "kind": "property_firm", "region": tree.community_a1.pk},
    )
    assert response.status_code == 200 and "name" in response.context["form"].errors
    response = client.post(
        reverse("partners:unit_create"),
        {"name": "外街单位", "kind": "company", "region": tree.community_b1.pk},
    )
    assert "region" in response.context["form"].errors  # outside the street: not a choice
    assert login(cast.liaison_a).get(reverse("partners:unit_create")).status_code == 403
    assert login(cast.neighbour).get(reverse("partners:unit_edit", args=[unit.pk])).status_code == 404
    assert login(cast.county).get(reverse("partners:unit_edit", args=[unit.pk])).status_code == 403
    response = client.post(
        reverse("partners:unit_liaisons", args=[cast.unit_a.pk]),
        {"liaisons": [cast.liaison_a.pk, cast.idle_liaison.pk]},
    )
    assert response.status_code == 302
    assert set(cast.unit_a.liaisons.all()) == {cast.liaison_a, cast.idle_liaison}


def test_alliance_pages(cast, tree):
    client = login(cast.secretary)
    response = client.post(
        reverse("partners:alliance_create"),
        {
            "name": "滚绣坊社区大党委",
            "kind": "big_committee",
            "region": tree.community_a1.pk,
            "meeting_interval": "3",
            "founded_on": "2025-01-01",
            "organisation": tree.orgs["community"].pk,
        },
    )
    alliance = Alliance.objects.get()
    assert response.status_code == 302
    response = client.post(
        reverse("partners:alliance_member_add", args=[alliance.pk]),
        {"unit": cast.unit_a.pk, "role": "concurrent", "joined_on": "2025-01-01"},
    )
    assert response.status_code == 302 and alliance.members.get().unit == cast.unit_a
    response = client.post(
        reverse("partners:alliance_member_add", args=[alliance.pk]),
        {"role": "member", "joined_on": "2025-01-01"},
    )
    assert response.status_code == 400
    page = client.get(alliance.get_absolute_url())
    assert page.status_code == 200 and page.context["rhythm"].alliance == alliance
    member = alliance.members.get()
    client.post(reverse("partners:alliance_member_end", args=[member.pk]), {"day": "2026-01-01"})
    member.refresh_from_db()
    assert member.left_on == date(2026, 1, 1)
    assert login(cast.stranger).get(alliance.get_absolute_url()).status_code == 404
    assert (
        login(cast.neighbour)
        .post(reverse("partners:alliance_member_end", args=[member.pk]), {"day": "2026-01-01"})
        .status_code
        == 404
    )
    assert client.get(reverse("partners:alliance_member_add", args=[alliance.pk])).status_code == 405


def test_agreement_file_only_through_the_scoped_view(cast, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(cast.secretary)
    response = client.post(
        reverse("partners:agreement_add", args=[cast.pairing_a.pk]),
        {
            "title": "共建协议",
            "signed_on": "2025-01-01",
            "starts_on": "2025-01-01",
            "ends_on": "2027-12-31",
            "commitments": "每年办实事1件，每季度参加联席会议",
            "file": SimpleUploadedFile("协议.pdf", b"%PDF-1.7\n1 0 obj\n", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    agreement = cast.pairing_a.agreements.get()
    url = reverse("partners:agreement_file", args=[agreement.pk])
    for user in (cast.secretary, cast.street, cast.liaison_a, cast.county):
        response = login(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for user in (cast.stranger, cast.liaison_b, cast.neighbour, cast.idle_liaison):
        assert login(user).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    # a file that is not a PDF or a photo is refused, nothing saved
    response = client.post(
        reverse("partners:agreement_add", args=[cast.pairing_a.pk]),
        {
            "title": "x",
            "signed_on": "2025-01-01",
            "starts_on": "2025-01-01",
            "ends_on": "2027-12-31",
            "commitments": "x",
            "file": SimpleUploadedFile("x.html", b"<script>", content_type="application/pdf"),
        },
    )
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert cast.pairing_a.agreements.count() == 1
    assert (
        login(cast.liaison_a)
        .post(reverse("partners:agreement_add", args=[cast.pairing_a.pk]), {})
        .status_code
        == 403
    )
    no_file = agreement_add(
        pairing=cast.pairing_b,
        actor=cast.stranger,
        title="无附件",
        signed_on=date(2025, 1, 1),
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 1, 1),
        commitments="x",
    )
    assert login(cast.stranger).get(reverse("partners:agreement_file", args=[no_file.pk])).status_code == 404


def test_expiring_and_duty_pages(cast):
    agreement_add(
        pairing=cast.pairing_a,
        actor=cast.secretary,
        title="共建协议",
        signed_on=date(2024, 1, 1),
        starts_on=date(2024, 1, 1),
        ends_on=date.today(),
        commitments="x",
    )
    page = login(cast.secretary).get(reverse("partners:expiring"), {"days": "10"})
    assert [a.pairing for a in page.context["agreements"]] == [cast.pairing_a]
    assert login(cast.stranger).get(reverse("partners:expiring")).context["agreements"] == []
    page = login(cast.street).get(reverse("partners:duty"), {"year": "2026"})
    assert page.status_code == 200 and [u.unit for u in page.context["report"].units] == [cast.unit_a]
    page = login(cast.street).get(reverse("partners:duty"), {"area": cast.tree.community_b1.pk})
    assert page.context["area"] is None  # an area outside the street is not a choice: ignored
    for name in ("partners:units", "partners:alliances", "partners:pairings"):
        assert login(cast.liaison_a).get(reverse(name)).status_code == 200
