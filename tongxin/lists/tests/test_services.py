"""The rules of the three lists: claiming, projects, milestones, progress roll-up, closing."""

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tongxin.core.actors import SYSTEM
from tongxin.core.tests.images import png_bytes
from tongxin.lists.models import (
    MilestoneStatus,
    Need,
    NeedCategory,
    NeedStatus,
    NeedTransition,
    ProjectKind,
    ProjectStatus,
    ProjectTransition,
    ResourceKind,
)
from tongxin.lists.selectors import resource_suggestions
from tongxin.lists.services import (
    AlreadyClaimed,
    evidence_add,
    milestone_accept,
    milestone_add,
    milestone_report,
    need_claim,
    need_release,
    need_update,
    need_withdraw,
    project_cancel,
    project_close,
    project_create,
    resource_create,
    resource_update,
)
from tongxin.notifications.models import Notification
from tongxin.notifications.outbox import outbox_process
from tongxin.partners.models import UnitKind
from tongxin.partners.services import pairing_end, unit_create
from tongxin.partners.testing import build_cobuilding, publish_need
from tongxin.people.models import PositionKind
from tongxin.people.services import position_create
from tongxin.testing import make_person

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


def _claimed(cast, **kw):
    need = publish_need(cast.tree.community_a1, cast.secretary, now=NOW)
    return need_claim(need=need, unit=cast.unit_a, actor=cast.liaison_a, now=NOW, **kw)


def _project(cast, *, milestones=(("设计方案", 1, None), ("安装路灯", 3, None)), **kw):
    need = _claimed(cast)
    kw.setdefault("kind", ProjectKind.PRACTICAL)
    return project_create(
        actor=cast.liaison_a,
        need=need,
        title="路灯改造",
        lead_name="张工",
        milestones=milestones,
        now=NOW,
        **kw,
    )


# ---- needs and claims ----------------------------------------------------------------------------


def test_publish_needs_a_manager_of_the_region(cast):
    need = publish_need(cast.tree.grids["1.1"], cast.secretary)
    assert need.status == NeedStatus.OPEN
    with pytest.raises(PermissionDenied):
        publish_need(cast.tree.community_a2, cast.secretary)  # the neighbour's community
    with pytest.raises(PermissionDenied):
        publish_need(cast.tree.community_a1, cast.liaison_a)  # liaisons claim, they do not publish
    with pytest.raises(PermissionDenied):
        publish_need(cast.tree.community_a1, cast.county)  # the county sees, it does not keep
    with pytest.raises(ValidationError) as exc:
        publish_need(cast.tree.county, SYSTEM)
    assert "region" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        publish_need(cast.tree.community_a1, cast.secretary, title=" ", category="weather", description="短")
    assert {"title", "category", "description"} <= set(exc.value.message_dict)


def test_monthly_round_defaults_to_the_month(cast):
    need = publish_need(cast.tree.community_a1, cast.secretary, source="monthly_round", now=NOW)
    assert need.round_month == date(2026, 3, 1)


def test_a_claim_is_told_once_through_the_outbox_to_the_community_and_the_unit(cast):
    need = publish_need(cast.tree.community_a1, cast.secretary, now=NOW)
    claimed = need_claim(need=need, unit=cast.unit_a, actor=cast.liaison_a, note="我局负责", now=NOW)
    assert claimed.status == NeedStatus.CLAIMED
    assert claimed.claimed_by_unit == cast.unit_a
    assert claimed.claimed_by == cast.liaison_a
    assert claimed.claimed_at == NOW
    assert not Notification.objects.exists()  # nothing is told inside the change
    step = NeedTransition.objects.get(need=need, action="claim")
    assert step.processed_at is None and step.data == {"unit": cast.unit_a.pk}
    outbox_process()
    outbox_process()  # a second pass finds nothing left
    notes = Notification.objects.filter(event_key=f"need-transition:{step.pk}")
    # the liaison who claimed is not told of their own step
    assert set(notes.values_list("user", flat=True)) == {cast.secretary.pk}
    assert cast.unit_a.name in notes.get().title and need.title in notes.get().title


def test_a_claim_recorded_by_the_community_is_told_to_the_units_liaison(cast):
    need = publish_need(cast.tree.community_a1, cast.secretary, now=NOW)
    need_claim(need=need, unit=cast.unit_a, actor=cast.secretary, note="联席会议认领", now=NOW)
    outbox_process()
    step = NeedTransition.objects.get(need=need, action="claim")
    assert set(
        Notification.objects.filter(event_key=f"need-transition:{step.pk}").values_list("user", flat=True)
    ) == {cast.liaison_a.pk}


def test_claiming_an_already_claimed_need_is_refused(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary, now=NOW)
    need_claim(need=need, unit=cast.unit_a, actor=cast.liaison_a, now=NOW)
    other = unit_create(
        name="姑苏区民政局", kind=UnitKind.COUNTY_DEPARTMENT, region=tree.street_a, actor=cast.street
    )
    with pytest.raises(AlreadyClaimed) as exc:
        need_claim(need=need, unit=other, actor=cast.secretary, now=NOW)  # a stale page: status was open
    assert "姑苏区水务局" in exc.value.message and "2026-03-10" in exc.value.message
    need.refresh_from_db()
    assert need.claimed_by_unit == cast.unit_a  # the first claim stands


def test_claim_of_a_withdrawn_need_is_refused(cast):
    need = publish_need(cast.tree.community_a1, cast.secretary)
    need_withdraw(need=need, actor=cast.secretary, reason="居民已自行解决")
    with pytest.raises(ValidationError):
        need_claim(need=need, unit=cast.unit_a, actor=cast.liaison_a)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_claims_at_once_one_wins(tree):
    """Two liaisons press Claim at the same moment: the conditional update lets exactly one through."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    cast = build_cobuilding(tree)
    need = publish_need(tree.community_a1, cast.secretary)
    other = unit_create(
        name="姑苏区民政局", kind=UnitKind.COUNTY_DEPARTMENT, region=tree.street_a, actor=cast.street
    )
    results: list[str] = []

    def claim(unit):
        try:
            need_claim(need=need, unit=unit, actor=SYSTEM)
            results.append("won")
        except AlreadyClaimed:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (cast.unit_a, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refused", "won"]


def test_liaison_claims_only_in_paired_areas(cast, tree):
    unpaired = publish_need(tree.community_a2, cast.neighbour)
    with pytest.raises(PermissionDenied):
        need_claim(need=unpaired, unit=cast.unit_a, actor=cast.liaison_a)
    paired = publish_need(tree.community_a1, cast.secretary)
    with pytest.raises(PermissionDenied):
        need_claim(need=paired, unit=cast.unit_b, actor=cast.liaison_a)  # not their unit
    with pytest.raises(PermissionDenied):
        need_claim(need=paired, unit=cast.unit_a, actor=cast.idle_liaison)
    pairing_end(pairing=cast.pairing_a, actor=cast.street, ended_on=date(2025, 6, 30))
    with pytest.raises(PermissionDenied):  # the pairing ended: the area is no longer theirs
        need_claim(need=paired, unit=cast.unit_a, actor=cast.liaison_a)


def test_community_records_a_claim_for_any_unit(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary)
    claimed = need_claim(need=need, unit=cast.unit_b, actor=cast.secretary)
    assert claimed.claimed_by_unit == cast.unit_b


def test_release_reopens_and_update_only_while_open(cast):
    need = _claimed(cast)
    with pytest.raises(ValidationError):
        need_update(need=need, actor=cast.secretary, title="改个名")
    with pytest.raises(PermissionDenied):
        need_release(need=need, actor=cast.liaison_b)
    need = need_release(need=need, actor=cast.liaison_a, reason="本季度人手不足")
    assert need.status == NeedStatus.OPEN and need.claimed_by_unit is None
    need = need_update(need=need, actor=cast.secretary, title="改个名")
    assert need.title == "改个名"


# ---- resources -----------------------------------------------------------------------------------


def test_resources_kept_by_their_liaison_and_suggested(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary, wanted_kind=ResourceKind.EQUIPMENT)
    fits = resource_create(
        unit=cast.unit_a,
        actor=cast.liaison_a,
        kind=ResourceKind.EQUIPMENT,
        category=NeedCategory.FACILITIES,
        title="太阳能路灯20套",
        quantity=Decimal(20),
        quantity_unit="套",
    )
    general = resource_create(
        unit=cast.unit_a, actor=cast.liaison_a, kind=ResourceKind.PEOPLE, title="党员志愿者"
    )
    resource_create(
        unit=cast.unit_a,
        actor=cast.liaison_a,
        kind=ResourceKind.SKILLS,
        category=NeedCategory.LEGAL,
        title="法律咨询",
    )
    resource_create(
        unit=cast.unit_a,
        actor=cast.liaison_a,
        kind=ResourceKind.EQUIPMENT,
        category=NeedCategory.FACILITIES,
        title="已借出的发电机",
        available=False,
    )
    with pytest.raises(PermissionDenied):
        resource_create(unit=cast.unit_a, actor=cast.liaison_b, kind=ResourceKind.MONEY, title="别人的钱")
    with pytest.raises(ValidationError):
        resource_update(resource=fits, actor=cast.liaison_a, quantity=Decimal(-1))
    suggestions = resource_suggestions(cast.secretary, need)
    # the volunteers match nothing of the need: a paired unit alone is no reason to suggest them
    assert [s.resource for s in suggestions] == [fits] and general not in [s.resource for s in suggestions]
    # a liaison only ever sees their own unit's resources, even as suggestions
    assert resource_suggestions(cast.liaison_b, need) == []


# ---- projects ------------------------------------------------------------------------------------


def test_claimed_need_becomes_the_claiming_units_project(cast):
    project = _project(cast, budget="12000")
    assert project.owner_unit == cast.unit_a
    assert project.region == cast.tree.community_a1
    assert project.claimed_at == NOW
    assert project.budget == Decimal("12000.00")
    assert Need.objects.get(pk=project.need_id).status == NeedStatus.IN_PROJECT
    with pytest.raises(ValidationError):  # one project per need
        project_create(
            actor=cast.secretary, need=project.need, title="再来", kind=ProjectKind.PRACTICAL, lead_name="李"
        )


def test_open_need_or_other_unit_cannot_start_a_project(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary)
    with pytest.raises(ValidationError) as exc:
        project_create(actor=cast.secretary, need=need, title="x", kind=ProjectKind.PRACTICAL, lead_name="李")
    assert "need" in exc.value.message_dict
    claimed = _claimed(cast)
    with pytest.raises(PermissionDenied):
        project_create(
            actor=cast.liaison_b, need=claimed, title="x", kind=ProjectKind.PRACTICAL, lead_name="李"
        )


def test_secretary_project_names_a_sitting_secretary(cast, tree):
    person = make_person(tree.community_a1, name="王书记")
    with pytest.raises(ValidationError) as exc:
        _project(cast, kind=ProjectKind.SECRETARY, secretary=person)
    assert "secretary" in exc.value.message_dict
    position_create(
        person=person,
        kind=PositionKind.SECRETARY,
        region=tree.community_a1,
        organisation=tree.orgs["community"],
        starts_on=date(2024, 1, 1),
    )
    project = project_create(
        actor=cast.secretary,
        region=tree.community_a1,
        title="书记项目：加装电梯",
        kind=ProjectKind.SECRETARY,
        secretary=person,
        lead_name="王书记",
        now=NOW,
    )
    assert project.secretary == person and project.need is None


def test_progress_is_the_weighted_sum_and_rolls_up(cast, tree):
    project = _project(cast)  # weights 1 and 3
    first, second = project.milestones.order_by("id")
    milestone_report(milestone=second, actor=cast.liaison_a, progress=50)
    project.refresh_from_db()
    assert project.progress == Decimal("37.50")  # (0*1 + 50*3) / 4
    milestone_report(milestone=first, actor=cast.liaison_a, progress=100)
    first.refresh_from_db()
    assert first.status == MilestoneStatus.REPORTED
    milestone_accept(milestone=first, actor=cast.secretary)
    project.refresh_from_db()
    assert project.progress == Decimal("62.50")

    parent = project_create(
        actor=cast.street,
        region=tree.street_a,
        title="金岩街道亮化工程",
        kind=ProjectKind.COBUILDING,
        lead_name="街道",
    )
    part_a = project_create(
        actor=cast.street,
        parent=parent,
        weight=2,
        region=tree.community_a1,
        title="滚绣坊片区",
        kind=ProjectKind.COBUILDING,
        lead_name="甲",
        milestones=[("施工", 1, None)],
    )
    part_b = project_create(
        actor=cast.street,
        parent=parent,
        weight=1,
        region=tree.community_a2,
        title="锦帆路片区",
        kind=ProjectKind.COBUILDING,
        lead_name="乙",
        milestones=[("施工", 1, None)],
    )
    milestone_report(milestone=part_a.milestones.get(), actor=cast.street, progress=60)
    milestone_accept(milestone=part_b.milestones.get(), actor=cast.street)
    parent.refresh_from_db()
    assert parent.progress == Decimal("73.33")  # (60*2 + 100*1) / 3
    milestone_add(project=parent, actor=cast.street, title="总体验收", weight=3)
    parent.refresh_from_db()
    assert parent.progress == Decimal("36.67")  # (60*2 + 100*1 + 0*3) / 6
    with pytest.raises(ValidationError):  # a project meeting a need has no parts
        project_create(
            actor=cast.street,
            parent=project,
            region=tree.community_a1,
            title="x",
            kind=ProjectKind.COBUILDING,
            lead_name="x",
        )


def test_milestone_rules(cast):
    project = _project(cast)
    milestone = project.milestones.order_by("pk").first()
    with pytest.raises(PermissionDenied):
        milestone_accept(milestone=milestone, actor=cast.liaison_a)  # the community accepts, not the unit
    with pytest.raises(PermissionDenied):
        milestone_report(milestone=milestone, actor=cast.liaison_b, progress=10)
    with pytest.raises(ValidationError):
        milestone_report(milestone=milestone, actor=cast.liaison_a, progress=101)
    milestone_accept(milestone=milestone, actor=cast.secretary)
    with pytest.raises(ValidationError):
        milestone_report(milestone=milestone, actor=cast.liaison_a, progress=50)


def test_closing_with_open_milestones_is_refused(cast):
    project = _project(cast)
    first, second = project.milestones.order_by("id")
    milestone_accept(milestone=first, actor=cast.secretary)
    milestone_report(milestone=second, actor=cast.liaison_a, progress=100)  # reported, not yet accepted
    with pytest.raises(ValidationError) as exc:
        project_close(project=project, actor=cast.secretary, result="完工", beneficiaries_count=300)
    assert "安装路灯" in exc.value.messages[0]
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    assert Need.objects.get(pk=project.need_id).status == NeedStatus.IN_PROJECT


def test_closing_meets_the_need_and_feeds_the_results(cast):
    project = _project(cast, milestones=[("安装", 1, None)])
    evidence_add(
        project=project,
        actor=cast.liaison_a,
        note="安装完成照片",
        upload=SimpleUploadedFile("a.png", png_bytes()),
        milestone=project.milestones.get(),
    )
    with pytest.raises(ValidationError):
        evidence_add(
            project=project, actor=cast.liaison_a, note="病毒", upload=SimpleUploadedFile("x.exe", b"MZ...")
        )
    milestone_accept(milestone=project.milestones.get(), actor=cast.secretary)
    with pytest.raises(PermissionDenied):
        project_close(project=project, actor=cast.liaison_a, result="完工", beneficiaries_count=10)
    with pytest.raises(ValidationError):
        project_close(project=project, actor=cast.secretary, result=" ", beneficiaries_count=10)
    later = NOW + timedelta(days=30)
    closed = project_close(
        project=project, actor=cast.secretary, result="新装路灯20盏", beneficiaries_count=320, now=later
    )
    outbox_process()
    assert closed.status == ProjectStatus.CLOSED and closed.progress == Decimal(100)
    need = Need.objects.get(pk=project.need_id)
    assert need.status == NeedStatus.DONE and need.done_at == later
    step = ProjectTransition.objects.get(project=project, action="close")
    assert Notification.objects.filter(
        event_key=f"project-transition:{step.pk}", user=cast.liaison_a
    ).exists()
    with pytest.raises(ValidationError):
        project_close(project=closed, actor=cast.secretary, result="again", beneficiaries_count=1)


def test_closing_a_parent_with_open_parts_is_refused(cast, tree):
    parent = project_create(
        actor=cast.street, region=tree.street_a, title="亮化", kind=ProjectKind.COBUILDING, lead_name="街道"
    )
    part = project_create(
        actor=cast.street,
        parent=parent,
        region=tree.community_a1,
        title="片区",
        kind=ProjectKind.COBUILDING,
        lead_name="甲",
    )
    with pytest.raises(ValidationError) as exc:
        project_close(project=parent, actor=cast.street, result="完工", beneficiaries_count=0)
    assert "片区" in exc.value.messages[0]
    project_close(project=part, actor=cast.street, result="完工", beneficiaries_count=5)
    parent = project_close(project=parent, actor=cast.street, result="完工", beneficiaries_count=5)
    assert parent.progress == Decimal(100)


def test_cancel_reopens_the_need(cast):
    project = _project(cast)
    with pytest.raises(ValidationError):
        project_cancel(project=project, actor=cast.secretary, reason="")
    project_cancel(project=project, actor=cast.secretary, reason="资金未落实")
    need = Need.objects.get(title="老旧小区路灯不亮")
    assert need.status == NeedStatus.OPEN and need.claimed_by_unit is None


def test_a_need_keeps_its_history_with_who_and_why(cast):
    """Claimed, given back with a reason, claimed again: each step is a row; the release keeps the
    first claim's note in the history instead of overwriting it."""
    need = publish_need(cast.tree.grids["1.1"], cast.secretary)
    need_claim(need=need, unit=cast.unit_a, actor=cast.secretary, note="第一次认领")
    need = need_release(need=need, actor=cast.secretary, reason="人手不足，退回")
    assert need.status == NeedStatus.OPEN and need.claim_note == ""
    need = need_claim(need=need, unit=cast.unit_a, actor=cast.secretary, note="再次认领")
    steps = list(need.transitions.values_list("action", "from_status", "to_status", "reason"))
    assert steps == [
        ("publish", "", "open", ""),
        ("claim", "open", "claimed", "第一次认领"),
        ("release", "claimed", "open", "人手不足，退回"),
        ("claim", "open", "claimed", "再次认领"),
    ]
    assert {t.actor_id for t in need.transitions.all()} == {cast.secretary.pk}


def test_a_project_keeps_its_history(cast):
    """Started, a milestone reported and accepted, delivered: each step is a row, with who and why."""
    project = _project(cast)
    milestone = project.milestones.order_by("pk").first()
    milestone_report(milestone=milestone, actor=cast.liaison_a, progress=100, note="已完成", now=NOW)
    milestone_accept(milestone=milestone, actor=cast.secretary, now=NOW)
    steps = list(project.transitions.values_list("action", "from_status", "to_status", "milestone_id"))
    assert steps[0] == ("start", "", "active", None)
    assert ("report", "open", "reported", milestone.pk) in steps
    assert ("accept", "reported", "accepted", milestone.pk) in steps
