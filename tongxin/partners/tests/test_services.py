"""Partner units, liaisons, alliances, pairings and agreements: the rules and the reminders."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tongxin.accounts.models import User
from tongxin.core.roles import Role
from tongxin.notifications.models import Notification
from tongxin.partners.models import AllianceKind, MemberRole, UnitKind
from tongxin.partners.selectors import agreements_expiring, reach_for
from tongxin.partners.services import (
    agreement_add,
    agreements_remind_due,
    alliance_create,
    alliance_member_add,
    alliance_member_end,
    alliance_update,
    pairing_create,
    pairing_end,
    unit_create,
    unit_liaisons_set,
    unit_update,
)
from tongxin.partners.testing import build_cobuilding
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n%...\n"


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


def test_unit_register_and_edit_in_scope_only(cast, tree):
    unit = unit_create(
        name="红心物业",
        kind=UnitKind.PROPERTY_FIRM,
        region=tree.community_a1,
        actor=cast.secretary,
        red_property=True,
    )
    assert unit.red_property and unit.joined_on is not None
    with pytest.raises(PermissionDenied):
        unit_create(name="别处单位", kind=UnitKind.COMPANY, region=tree.community_b1, actor=cast.secretary)
    with pytest.raises(PermissionDenied):
        unit_create(name="x", kind=UnitKind.COMPANY, region=tree.community_a1, actor=cast.liaison_a)
    with pytest.raises(ValidationError) as exc:
        unit_create(
            name="红心物业", kind=UnitKind.PROPERTY_FIRM, region=tree.community_a1, actor=cast.secretary
        )
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError):
        unit_create(
            name="网格里的单位", kind=UnitKind.COMPANY, region=tree.grids["1.1"], actor=cast.secretary
        )
    unit = unit_update(unit=unit, actor=cast.secretary, kind=UnitKind.COMPANY)
    assert unit.red_property is False  # only a property firm is 红色物业
    with pytest.raises(PermissionDenied):
        unit_update(unit=unit, actor=cast.secretary, region=tree.community_b1)
    with pytest.raises(TypeError):
        unit_update(unit=unit, actor=cast.secretary, liaisons=[])


def test_liaisons_must_hold_the_role_and_hear_of_it(cast, tree, django_capture_on_commit_callbacks):
    plain = make_user(Role.COMMUNITY_STAFF, tree.community_a1)
    with pytest.raises(ValidationError):
        unit_liaisons_set(unit=cast.unit_a, liaisons=[plain], actor=cast.street)
    newcomer = make_user(Role.PARTNER_LIAISON, tree.street_a)
    with django_capture_on_commit_callbacks(execute=True):
        unit_liaisons_set(unit=cast.unit_a, liaisons=[cast.liaison_a, newcomer], actor=cast.street)
    assert set(cast.unit_a.liaisons.all()) == {cast.liaison_a, newcomer}
    assert Notification.objects.filter(user=newcomer, event_key__startswith="unit-liaison:").count() == 1
    assert not Notification.objects.filter(
        user=cast.liaison_a, event_key__startswith="unit-liaison:"
    ).exists()
    assert reach_for(newcomer).unit_ids == {cast.unit_a.pk}
    with pytest.raises(PermissionDenied):
        unit_liaisons_set(unit=cast.unit_b, liaisons=[], actor=cast.street)


def test_alliance_rules(cast, tree):
    with pytest.raises(ValidationError) as exc:
        alliance_create(
            name="街道大党委",
            kind=AllianceKind.BIG_COMMITTEE,
            region=tree.street_a,
            actor=cast.street,
            founded_on=date(2025, 1, 1),
        )
    assert "region" in exc.value.message_dict  # a 大党委 belongs to a community
    alliance = alliance_create(
        name="滚绣坊社区大党委",
        kind=AllianceKind.BIG_COMMITTEE,
        region=tree.community_a1,
        actor=cast.secretary,
        founded_on=date(2025, 1, 1),
    )
    assert alliance.meeting_interval == 3  # quarterly by default
    with pytest.raises(ValidationError):
        alliance_update(alliance=alliance, actor=cast.secretary, meeting_interval=5)
    alliance = alliance_update(alliance=alliance, actor=cast.secretary, meeting_interval=1)
    assert alliance.meeting_interval == 1
    seat = alliance_member_add(
        alliance=alliance,
        actor=cast.secretary,
        role=MemberRole.SECRETARY,
        organisation=tree.orgs["community"],
        joined_on=date(2025, 1, 1),
    )
    alliance_member_add(alliance=alliance, actor=cast.secretary, role=MemberRole.CONCURRENT, unit=cast.unit_a)
    with pytest.raises(ValidationError):  # the same unit twice
        alliance_member_add(alliance=alliance, actor=cast.secretary, unit=cast.unit_a)
    with pytest.raises(ValidationError):  # a second secretary
        alliance_member_add(
            alliance=alliance, actor=cast.secretary, role=MemberRole.SECRETARY, unit=cast.unit_b
        )
    with pytest.raises(ValidationError):  # neither unit nor organisation
        alliance_member_add(alliance=alliance, actor=cast.secretary)
    with pytest.raises(PermissionDenied):
        alliance_member_add(alliance=alliance, actor=cast.neighbour, unit=cast.unit_b)
    with pytest.raises(ValidationError):
        alliance_member_end(member=seat, actor=cast.secretary, left_on=date(2024, 1, 1))
    alliance_member_end(member=seat, actor=cast.secretary, left_on=date(2025, 6, 1))
    alliance_member_add(alliance=alliance, actor=cast.secretary, role=MemberRole.SECRETARY, unit=cast.unit_b)


def test_alliance_seat_widens_the_liaisons_reach(cast, tree):
    assert not reach_for(cast.liaison_b).paired.contains(tree.community_a2.path)
    alliance = alliance_create(
        name="锦帆路社区大党委",
        kind=AllianceKind.BIG_COMMITTEE,
        region=tree.community_a2,
        actor=cast.neighbour,
        founded_on=date(2025, 1, 1),
    )
    alliance_member_add(alliance=alliance, actor=cast.neighbour, unit=cast.unit_b)
    fresh = User.objects.get(pk=cast.liaison_b.pk)  # the next request's account
    assert reach_for(fresh).paired.contains(tree.community_a2.path)


def test_pairing_rules(cast, tree):
    with pytest.raises(ValidationError):  # paired already
        pairing_create(
            unit=cast.unit_a, region=tree.community_a1, actor=cast.secretary, started_on=date(2025, 1, 1)
        )
    with pytest.raises(ValidationError):  # a grid is not a pairing partner
        pairing_create(
            unit=cast.unit_a, region=tree.grids["1.1"], actor=cast.secretary, started_on=date(2025, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        pairing_create(
            unit=cast.unit_a, region=tree.community_b1, actor=cast.street, started_on=date(2025, 1, 1)
        )
    with pytest.raises(ValidationError):
        pairing_end(pairing=cast.pairing_a, actor=cast.secretary, ended_on=date(2020, 1, 1))
    pairing_end(pairing=cast.pairing_a, actor=cast.secretary, ended_on=date(2025, 12, 31))
    again = pairing_create(
        unit=cast.unit_a, region=tree.community_a1, actor=cast.secretary, started_on=date(2026, 1, 1)
    )
    assert again.pk != cast.pairing_a.pk


def test_agreement_with_attachment_and_expiring_list(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = date(2026, 3, 1)
    agreement = agreement_add(
        pairing=cast.pairing_a,
        actor=cast.secretary,
        title="共建协议",
        signed_on=date(2025, 1, 1),
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 4, 10),
        commitments="每年办实事1件",
        upload=SimpleUploadedFile("协议.pdf", PDF, content_type="application/pdf"),
    )
    assert agreement.content_type == "application/pdf" and agreement.file_name == "协议.pdf"
    assert agreement.file.path.startswith(str(tmp_path))
    with pytest.raises(ValidationError) as exc:
        agreement_add(
            pairing=cast.pairing_a,
            actor=cast.secretary,
            title="x",
            signed_on=date(2025, 1, 1),
            starts_on=date(2025, 1, 1),
            ends_on=date(2024, 1, 1),
            commitments="",
            upload=SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/pdf"),
        )
    assert {"ends_on", "commitments", "file"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        agreement_add(
            pairing=cast.pairing_a,
            actor=cast.liaison_a,
            title="x",
            signed_on=today,
            starts_on=today,
            ends_on=today,
            commitments="x",
        )
    assert list(agreements_expiring(cast.secretary, within_days=60, today=today)) == [agreement]
    assert list(agreements_expiring(cast.secretary, within_days=30, today=today)) == []
    assert list(agreements_expiring(cast.stranger, within_days=60, today=today)) == []
    assert list(agreements_expiring(cast.liaison_a, within_days=60, today=today)) == [agreement]
    # a renewal supersedes it: nothing is about to end any more
    agreement_add(
        pairing=cast.pairing_a,
        actor=cast.secretary,
        title="续签协议",
        signed_on=date(2026, 2, 20),
        starts_on=date(2026, 4, 11),
        ends_on=date(2029, 4, 10),
        commitments="续签",
    )
    assert list(agreements_expiring(cast.secretary, within_days=60, today=today)) == []


def test_agreement_reminder_goes_out_once(cast):
    now = datetime(2026, 3, 1, 9, 0, tzinfo=TZ)
    agreement_add(
        pairing=cast.pairing_a,
        actor=cast.secretary,
        title="共建协议",
        signed_on=date(2025, 1, 1),
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 3, 20),
        commitments="每年办实事1件",
    )
    agreement_add(
        pairing=cast.pairing_b,
        actor=cast.stranger,
        title="远期协议",
        signed_on=date(2025, 1, 1),
        starts_on=date(2025, 1, 1),
        ends_on=date(2028, 1, 1),
        commitments="x",
    )
    assert agreements_remind_due(now=now) == 2  # the liaison and the community secretary
    assert agreements_remind_due(now=now + timedelta(hours=6)) == 0
    keys = set(Notification.objects.values_list("user", "event_key"))
    agreement_id = cast.pairing_a.agreements.get().pk
    assert keys == {
        (cast.liaison_a.pk, f"agreement-due:{agreement_id}"),
        (cast.secretary.pk, f"agreement-due:{agreement_id}"),
    }
