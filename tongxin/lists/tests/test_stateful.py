"""Random sequences of claims, projects, milestones and decision steps by random actors; after every
step the invariants of the lists and of 两委三会四议 must hold. Each example is rolled back."""

import contextlib
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any, ClassVar

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tongxin.lists.models import MilestoneStatus, Need, NeedStatus, Project, ProjectStatus
from tongxin.lists.services import (
    AlreadyClaimed,
    milestone_accept,
    milestone_report,
    need_claim,
    need_release,
    project_cancel,
    project_close,
    project_create,
)
from tongxin.meetings.models import Decision, DecisionStatus
from tongxin.meetings.services import decision_create, decision_step, meeting_record, meeting_schedule
from tongxin.meetings.workflow import step_for
from tongxin.partners.testing import CoBuildingCast, build_cobuilding, publish_need

pytestmark = pytest.mark.django_db
ACTORS = ["secretary", "neighbour", "liaison_a", "liaison_b", "county"]
UNITS = ["unit_a", "unit_b"]
REFUSED = (AlreadyClaimed, PermissionDenied, ValidationError)


class ListsMachine(RuleBasedStateMachine):
    cast: ClassVar[CoBuildingCast]
    meeting: ClassVar[Any]

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.needs: list[int] = []
        self.decisions: list[int] = []
        self.done_steps: dict[int, int] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def actor(self, name: str) -> Any:
        from tongxin.accounts.models import User

        return User.objects.get(pk=getattr(self.cast, name).pk)  # a fresh request's account

    @initialize(n=st.integers(1, 3))
    def publish(self, n: int) -> None:
        for i in range(n):
            self.needs.append(
                publish_need(self.cast.tree.community_a1, self.cast.secretary, title=f"需求{i}").pk
            )

    @rule(i=st.integers(0, 2), who=st.sampled_from(ACTORS), unit=st.sampled_from(UNITS))
    def claim(self, i: int, who: str, unit: str) -> None:
        need = Need.objects.get(pk=self.needs[i % len(self.needs)])
        before = (need.status, need.claimed_by_unit_id)
        try:
            need_claim(need=need, unit=getattr(self.cast, unit), actor=self.actor(who))
        except REFUSED:
            need.refresh_from_db()
            assert (need.status, need.claimed_by_unit_id) == before
            return
        assert before[0] == NeedStatus.OPEN
        assert who in ("secretary", "liaison_a") and (who == "secretary" or unit == "unit_a")

    @rule(i=st.integers(0, 2), who=st.sampled_from(ACTORS), weights=st.lists(st.integers(1, 4), max_size=3))
    def start(self, i: int, who: str, weights: list[int]) -> None:
        need = Need.objects.get(pk=self.needs[i % len(self.needs)])
        try:
            project_create(
                actor=self.actor(who),
                need=need,
                title="项目",
                kind="practical",
                lead_name="甲",
                milestones=[(f"里程碑{k}", w, None) for k, w in enumerate(weights)],
            )
        except REFUSED:
            return
        assert need.status == NeedStatus.CLAIMED

    @rule(who=st.sampled_from(ACTORS), progress=st.integers(-5, 105), pick=st.integers(0, 10))
    def report(self, who: str, progress: int, pick: int) -> None:
        from tongxin.lists.models import Milestone

        milestones = list(Milestone.objects.filter(project__need_id__in=self.needs).order_by("pk"))
        if not milestones:
            return
        m = milestones[pick % len(milestones)]
        try:
            milestone_report(milestone=m, actor=self.actor(who), progress=progress)
        except REFUSED:
            return
        assert 0 <= progress <= 100

    @rule(who=st.sampled_from(ACTORS), pick=st.integers(0, 10))
    def accept(self, who: str, pick: int) -> None:
        from tongxin.lists.models import Milestone

        milestones = list(Milestone.objects.filter(project__need_id__in=self.needs).order_by("pk"))
        if milestones:
            with contextlib.suppress(*REFUSED):
                milestone_accept(milestone=milestones[pick % len(milestones)], actor=self.actor(who))

    @rule(
        who=st.sampled_from(ACTORS),
        pick=st.integers(0, 5),
        what=st.sampled_from(["close", "cancel", "release"]),
    )
    def finish(self, who: str, pick: int, what: str) -> None:
        if what == "release":
            need = Need.objects.get(pk=self.needs[pick % len(self.needs)])
            with contextlib.suppress(*REFUSED):
                need_release(need=need, actor=self.actor(who))
            return
        projects = list(Project.objects.filter(need_id__in=self.needs).order_by("pk"))
        if not projects:
            return
        project = projects[pick % len(projects)]
        try:
            if what == "close":
                project_close(project=project, actor=self.actor(who), result="完成", beneficiaries_count=3)
            else:
                project_cancel(project=project, actor=self.actor(who), reason="停止")
        except REFUSED:
            pass

    @rule(four=st.booleans())
    def propose(self, four: bool) -> None:
        decision = decision_create(
            meeting=self.meeting, actor=self.cast.secretary, title="决定", four_step=four
        )
        self.decisions.append(decision.pk)
        self.done_steps[decision.pk] = 1

    @rule(
        pick=st.integers(0, 5),
        action=st.sampled_from(["discuss", "adopt", "reject", "evaluate"]),
        who=st.sampled_from(ACTORS),
    )
    def step(self, pick: int, action: str, who: str) -> None:
        if not self.decisions:
            return
        decision = Decision.objects.get(pk=self.decisions[pick % len(self.decisions)])
        expected = step_for(action, decision.status, four_step=decision.four_step)
        try:
            after = decision_step(decision=decision, action=action, actor=self.actor(who), note="说明")
        except REFUSED:
            assert Decision.objects.get(pk=decision.pk).status == decision.status
            return
        assert expected is not None and who == "secretary" and after.status == expected.target
        self.done_steps[decision.pk] += 1

    @invariant()
    def needs_and_projects_agree(self) -> None:
        for need in Need.objects.filter(pk__in=self.needs):
            assert (need.status == NeedStatus.OPEN) == (need.claimed_by_unit_id is None)
            project = Project.objects.filter(need=need).first()
            assert (need.status in (NeedStatus.IN_PROJECT, NeedStatus.DONE)) == (project is not None)
            if project is not None:
                assert project.owner_unit_id == need.claimed_by_unit_id
                assert (need.status == NeedStatus.DONE) == (project.status == ProjectStatus.CLOSED)
                milestones = list(project.milestones.all())
                if project.status == ProjectStatus.CLOSED:
                    assert all(m.status == MilestoneStatus.ACCEPTED for m in milestones)
                    assert project.progress == 100
                elif milestones:
                    total = sum(m.weight for m in milestones)
                    value = sum(
                        m.weight * (100 if m.status == MilestoneStatus.ACCEPTED else m.progress)
                        for m in milestones
                    )
                    # rounded half up (四舍五入), as the service does
                    expected = (Decimal(value) / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                    assert project.progress == expected

    @invariant()
    def needs_keep_their_history(self) -> None:
        """Every status a need has been in is one transition row, chained: each step starts where the
        one before ended, the first publishes it, the last is where it stands."""
        for need in Need.objects.filter(pk__in=self.needs).prefetch_related("transitions"):
            steps = list(need.transitions.all())
            assert steps[0].action == "publish" and steps[0].from_status == ""
            assert all(a.to_status == b.from_status for a, b in pairwise(steps))
            assert steps[-1].to_status == need.status

    @invariant()
    def decisions_keep_their_history(self) -> None:
        for decision in Decision.objects.filter(pk__in=self.decisions).prefetch_related("steps"):
            steps = list(decision.steps.all())
            assert len(steps) == self.done_steps[decision.pk]
            assert steps[-1].to_status == decision.status
            reached = [s.to_status for s in steps]
            if decision.four_step and DecisionStatus.ADOPTED in reached:
                assert reached.index(DecisionStatus.DISCUSSED) < reached.index(DecisionStatus.ADOPTED)


def test_random_sequences_keep_the_invariants(tree):
    ListsMachine.cast = build_cobuilding(tree)
    meeting = meeting_schedule(
        actor=ListsMachine.cast.secretary,
        region=tree.community_a1,
        title="议事会",
        scheduled_at=timezone.now() - timedelta(days=1),
    )
    ListsMachine.meeting = meeting_record(meeting=meeting, actor=ListsMachine.cast.secretary, minutes="纪要")
    run_state_machine_as_test(
        ListsMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
