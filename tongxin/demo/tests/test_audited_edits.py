"""Every edit service leaves one audit row with who changed what, and none when nothing changed.

The test walks every `<entity>_update` service of every app (found by name, so a new one without a
case here fails) on a demo district written through the services."""

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

import tongxin
from tongxin.activities.models import Activity, ActivityStatus, TeamMember
from tongxin.activities.services import activity_update, team_member_update
from tongxin.assessment.models import Scheme, SchemeStatus
from tongxin.assessment.services import scheme_new_version, scheme_update
from tongxin.audit.models import Action, AuditEvent
from tongxin.cadres.models import Stationed
from tongxin.cadres.services import stationed_update
from tongxin.core.actors import SYSTEM
from tongxin.demo.generator import DEFAULT_SEED, Options, generate
from tongxin.demo.history import write_history
from tongxin.estates.models import Estate
from tongxin.estates.services import estate_update
from tongxin.exchange.models import HotlinePeer, RobotEvent, RobotVendor
from tongxin.exchange.services import peer_update, robot_create, robot_update
from tongxin.gridwork.services import checklist_create, checklist_update, log_kind_create, log_kind_update
from tongxin.households.models import CareTag, Household
from tongxin.households.services import care_tag_update, household_update
from tongxin.lists.models import Need, NeedStatus, Resource
from tongxin.lists.services import need_update, resource_update
from tongxin.members.models import MemberReport, ServicePost
from tongxin.members.services import member_report_update, service_post_update
from tongxin.organisations.models import PartyOrganisation
from tongxin.organisations.services import organisation_update
from tongxin.partners.models import Alliance, PartnerUnit
from tongxin.partners.services import alliance_update, unit_update
from tongxin.partylife.models import MobileMember, PartyMeeting, ServiceWindow
from tongxin.partylife.services import mobile_member_update, party_meeting_update, window_update
from tongxin.people.models import Person, Position
from tongxin.people.services import person_update, position_update
from tongxin.regions.models import Level, Region
from tongxin.regions.services import region_update
from tongxin.twonew.models import NewOrganisation, Post, RectificationItem
from tongxin.twonew.services import new_organisation_update, post_update, rectification_update
from tongxin.venues.models import Room, Venue
from tongxin.venues.services import room_update, venue_update
from tongxin.villages.models import EconomyProject, Enterprise, VillageEconomy
from tongxin.villages.services import economy_update, enterprise_update, project_update

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        generate(Options(people=300, method="services"))
        write_history(seed=DEFAULT_SEED)
        yield
        transaction.set_rollback(True)


def _first(rows: Any) -> Any:
    found = rows.order_by("pk").first()
    assert found is not None, rows.model
    return found


def _later(day: Any) -> Any:
    return (day or timezone.localdate()) + timedelta(days=400)


# service → (the row it edits, the change to make: a function of the row giving the keyword arguments)
EDITS: dict[Callable[..., Any], tuple[Callable[[], Any], Callable[[Any], dict[str, Any]]]] = {
    person_update: (
        lambda: _first(Person.objects.all()),
        lambda p: {"person": p, "address": p.address + "（改）"},
    ),
    position_update: (
        lambda: _first(Position.objects.filter(ends_on__isnull=True)),
        lambda p: {"position": p, "ends_on": _later(p.starts_on)},
    ),
    need_update: (
        lambda: _first(Need.objects.filter(status=NeedStatus.OPEN)),
        lambda n: {"need": n, "title": n.title + "（改）"},
    ),
    resource_update: (
        lambda: _first(Resource.objects.all()),
        lambda r: {"resource": r, "title": r.title + "（改）"},
    ),
    unit_update: (lambda: _first(PartnerUnit.objects.all()), lambda u: {"unit": u, "description": "改"}),
    alliance_update: (lambda: _first(Alliance.objects.all()), lambda a: {"alliance": a, "description": "改"}),
    activity_update: (
        lambda: _first(Activity.objects.filter(status=ActivityStatus.PUBLISHED)),
        lambda a: {"activity": a, "place": a.place + "（改）"},
    ),
    team_member_update: (lambda: _first(TeamMember.objects.all()), lambda m: {"member": m, "skills": "改"}),
    service_post_update: (
        lambda: _first(ServicePost.objects.all()),
        lambda p: {"post": p, "description": "改"},
    ),
    member_report_update: (
        lambda: _first(MemberReport.objects.filter(ended_on__isnull=True, employer_unit__isnull=False)),
        lambda r: {"report": r, "employer_unit": None},
    ),
    party_meeting_update: (
        lambda: _first(PartyMeeting.objects.all()),
        lambda m: {"meeting": m, "topic": m.topic + "（改）"},
    ),
    window_update: (lambda: _first(ServiceWindow.objects.all()), lambda w: {"window": w, "address": "改"}),
    mobile_member_update: (lambda: _first(MobileMember.objects.all()), lambda m: {"record": m, "work": "改"}),
    region_update: (
        lambda: _first(Region.objects.filter(level=Level.COMMUNITY)),
        lambda r: {"region": r, "address": "改"},
    ),
    household_update: (
        lambda: _first(Household.objects.all()),
        lambda h: {"household": h, "note": "（改）"},
    ),
    # a default tag is the installation's: changed by the system (a community overrides it instead)
    care_tag_update: (
        lambda: _first(CareTag.objects.filter(region__isnull=True)),
        lambda t: {"tag": t, "description": t.description + "（改）"},
    ),
    organisation_update: (
        lambda: _first(PartyOrganisation.objects.all()),
        lambda o: {"organisation": o, "name": o.name + "（改）"},
    ),
    stationed_update: (
        lambda: _first(Stationed.objects.all()),
        lambda s: {"stationed": s, "note": s.note + "（改）"},
    ),
    # a published scheme is fixed: its next version is drafted and edited
    scheme_update: (
        lambda: scheme_new_version(
            actor=SYSTEM, scheme=_first(Scheme.objects.filter(status=SchemeStatus.PUBLISHED))
        ),
        lambda s: {"scheme": s, "name": s.name + "（改）"},
    ),
    # the estate form sends every field: only the address differs
    estate_update: (
        lambda: _first(Estate.objects.all()),
        lambda e: {
            "estate": e,
            "name": e.name,
            "buildings": list(e.buildings.all()),
            "address": e.address + "（改）",
            "property_firm": e.property_firm,
            "firm_branch": e.firm_branch,
            "red_since": e.red_since,
        },
    ),
    peer_update: (
        lambda: _first(HotlinePeer.objects.all()),
        lambda p: {"peer": p, "name": p.name + "（改）"},
    ),
    # the demo configures no group robot: a community's, configured as its page does
    robot_update: (
        lambda: robot_create(
            actor=SYSTEM,
            region=_first(Region.objects.filter(level=Level.COMMUNITY)),
            name="居委会工作群",
            vendor=RobotVendor.WECOM,
            webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=walk",
            events=[RobotEvent.values[0]],
        ),
        lambda r: {"robot": r, "name": r.name + "（改）"},
    ),
    # the demo keeps the installation's defaults: a community's own checklist and kind are edited
    checklist_update: (
        lambda: checklist_create(
            actor=SYSTEM,
            region=_first(Region.objects.filter(level=Level.COMMUNITY)),
            name="汛前排查",
            items=["排水口是否通畅", "地下室是否有沙袋"],
        ),
        lambda c: {"checklist": c, "name": c.name + "（改）"},
    ),
    log_kind_update: (
        lambda: log_kind_create(
            actor=SYSTEM,
            region=_first(Region.objects.filter(level=Level.COMMUNITY)),
            code="flood",
            name="防汛巡查",
        ),
        lambda k: {"kind": k, "name": k.name + "（改）"},
    ),
    new_organisation_update: (
        lambda: _first(NewOrganisation.objects.all()),
        lambda o: {"organisation": o, "changes": {"charter": not o.charter}},
    ),
    post_update: (
        lambda: _first(Post.objects.all()),
        lambda p: {"post": p, "changes": {"name": p.name + "（改）"}},
    ),
    rectification_update: (
        lambda: _first(RectificationItem.objects.all()),
        lambda i: {"item": i, "changes": {"text": i.text + "（改）"}},
    ),
    venue_update: (
        lambda: _first(Venue.objects.all()),
        lambda v: {"venue": v, "address": v.address + "（改）"},
    ),
    room_update: (lambda: _first(Room.objects.all()), lambda r: {"room": r, "name": r.name + "（改）"}),
    economy_update: (
        lambda: _first(VillageEconomy.objects.all()),
        lambda e: {"economy": e, "changes": {"note": e.note + "（改）"}},
    ),
    enterprise_update: (
        lambda: _first(Enterprise.objects.all()),
        lambda e: {"enterprise": e, "changes": {"name": e.name + "（改）"}},
    ),
    project_update: (
        lambda: _first(EconomyProject.objects.all()),
        lambda p: {"project": p, "changes": {"name": p.name + "（改）"}},
    ),
}


def _update_services() -> set[str]:
    """Every `<entity>_update` function defined in a services module of the project."""
    found = set()
    for module_info in pkgutil.walk_packages(tongxin.__path__, "tongxin."):
        if not module_info.name.endswith(".services") or ".tests" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_update") and fn.__module__ == module.__name__:
                found.add(f"{fn.__module__}.{name}")
    return found


def test_every_update_service_is_walked():
    walked = {f"{fn.__module__}.{fn.__name__}" for fn in EDITS}
    assert _update_services() == walked


@pytest.mark.django_db
@pytest.mark.parametrize("service", list(EDITS), ids=lambda fn: fn.__name__)
def test_an_edit_records_one_audit_row_and_a_repeat_none(district, service):
    row_of, change_of = EDITS[service]
    row = row_of()
    kwargs = change_of(row)
    # the row's target: `model:id`, or `app.model:id` where an app names its own (assessment)
    target = [f"{row._meta.model_name}:{row.pk}", f"{row._meta.label_lower}:{row.pk}"]
    before = AuditEvent.objects.filter(action=Action.RECORD_CHANGED, target__in=target).count()
    service(actor=SYSTEM, **kwargs)
    events = AuditEvent.objects.filter(action=Action.RECORD_CHANGED, target__in=target).order_by("id")
    assert events.count() == before + 1
    event = events.last()
    assert event.actor_username == "system"
    # the changed fields: the keyword arguments, or the `changes` mapping of the services that take one
    assert set(event.detail["changes"]) & set(kwargs.get("changes", kwargs)), event.detail
    # the same change again changes nothing and records nothing
    service(actor=SYSTEM, **kwargs)
    assert AuditEvent.objects.filter(action=Action.RECORD_CHANGED, target__in=target).count() == before + 1
