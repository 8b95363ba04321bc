"""What a step of a need or a project tells, and to whom: the lists' part of the one outbox
(notifications/outbox.py). The audiences are named by the step's rule (lists/workflow.py)."""

from collections.abc import Callable, Collection
from typing import Any

from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.lists.models import NeedTransition, ProjectTransition
from tongxin.lists.workflow import (
    MILESTONE_RULES,
    PROJECT_RULES,
    RULES,
    Audience,
    NeedAction,
    ProjectAction,
)
from tongxin.notifications.outbox import Message, outbox_source
from tongxin.notifications.recipients import community_officials, liaisons_of
from tongxin.partners.models import PartnerUnit


def _users(audiences: Collection[str], finders: dict[str, Callable[[], list[User]]]) -> list[User]:
    return [user for audience in audiences for user in finders[audience]()]


@outbox_source("need-transition", NeedTransition, related=("need", "need__region"))
def need_message(row: NeedTransition) -> Message | None:
    rule = RULES.get(row.action)
    if rule is None or not rule.audiences_for(row):
        return None
    need = row.need
    unit = PartnerUnit.objects.filter(pk=row.data.get("unit")).first()
    users = _users(
        rule.audiences_for(row),
        {
            Audience.COMMUNITY: lambda: community_officials(need.region),
            Audience.UNIT: lambda: liaisons_of(unit),
        },
    )
    titles: dict[str, Any] = {
        NeedAction.CLAIM: lambda: (
            _("%(unit)s claimed the need “%(need)s”.")
            % {"unit": unit.name if unit else "", "need": need.title}
        ),
    }
    return Message(users=users, title=titles[row.action](), body=row.reason, url=need.get_absolute_url())


@outbox_source("project-transition", ProjectTransition, related=("project", "project__owner_unit"))
def project_message(row: ProjectTransition) -> Message | None:
    rule = (MILESTONE_RULES if row.milestone_id else PROJECT_RULES).get(row.action)
    if rule is None or not rule.audiences_for(row):
        return None
    project = row.project
    users = _users(rule.audiences_for(row), {Audience.UNIT: lambda: liaisons_of(project.owner_unit)})
    titles: dict[str, Any] = {
        ProjectAction.CLOSE: lambda: (
            _("The project “%(project)s” was accepted as delivered.") % {"project": project.title}
        ),
    }
    return Message(users=users, title=titles[row.action](), url=project.get_absolute_url())
