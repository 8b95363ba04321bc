"""Writes for 双报到, service posts, rule versions and the service record sync."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_edit
from tongxin.core.actors import SYSTEM, Actor, require_scope, user_or_none
from tongxin.core.roles import Capability
from tongxin.members import sources
from tongxin.members.models import (
    MemberReport,
    MemberReportRenewal,
    MemberRuleSet,
    ReportChannel,
    ServiceEntry,
    ServicePost,
    ServicePostKind,
    ServiceSyncState,
    UnitReport,
)
from tongxin.members.rules import DEFAULT_STARS, add_months
from tongxin.members.selectors import RulesBook, home_community, home_grid_branch, member_rules_for
from tongxin.notifications.services import notify
from tongxin.organisations.models import PartyOrganisation
from tongxin.people.models import Person
from tongxin.regions.models import Level, Region

# ---- service posts ----------------------------------------------------------------------------


def _post_validate(*, community: Region, kind: str, name: str, places: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if community.level != Level.COMMUNITY:
        errors.setdefault("community", []).append(_("Service posts belong to a community or village."))
    if kind not in ServicePostKind.values:
        errors.setdefault("kind", []).append(_("Choose one of the eight kinds of post."))
    if not name.strip():
        errors.setdefault("name", []).append(_("Give the post a name."))
    if places is not None and places < 1:
        errors.setdefault("places", []).append(
            _("A post has at least one place, or leave it empty for no limit.")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_post_create(
    *,
    community: Region,
    kind: str,
    name: str,
    description: str = "",
    places: int | None = None,
    active: bool = True,
) -> ServicePost:
    _post_validate(community=community, kind=kind, name=name, places=places)
    if ServicePost.objects.filter(community=community, name=name.strip()).exists():
        raise ValidationError({"name": [_("The community already has a post of this name.")]})
    return ServicePost.objects.create(
        community=community,
        kind=kind,
        name=name.strip(),
        description=description.strip(),
        places=places,
        active=active,
    )


def service_post_update(*, post: ServicePost, actor: Actor, **changes: Any) -> ServicePost:
    fields = ("kind", "name", "description", "places", "active")
    editing = audited_edit(
        ServicePost, post.pk, actor=actor, fields=fields, region=lambda p: p.community, related=("community",)
    )
    with editing as edit:
        post = edit.row
        require_scope(actor, Capability.MEMBERS_MANAGE, post.community)
        edit.set(changes, only=fields)
        _post_validate(community=post.community, kind=post.kind, name=post.name, places=post.places)
        if ServicePost.objects.filter(community=post.community, name=post.name).exclude(pk=post.pk).exists():
            raise ValidationError({"name": [_("The community already has a post of this name.")]})
    return edit.row


# ---- member reports (在职党员报到) -------------------------------------------------------------


def _employer_org(unit: Any, organisation: PartyOrganisation | None) -> PartyOrganisation | None:
    if organisation is not None:
        return organisation
    return unit.party_organisation if unit is not None else None


@transaction.atomic
def member_report_create(
    *,
    person: Person,
    service_post: ServicePost,
    channel: str,
    reported_on: date | None = None,
    employer_unit: Any = None,
    employer_organisation: PartyOrganisation | None = None,
    actor: Actor = SYSTEM,
) -> MemberReport:
    """A member reports to the community where they live, takes a post and joins the grid branch."""
    reported_on = reported_on or timezone.localdate()
    person = Person.objects.select_for_update(of=("self",)).select_related("region").get(pk=person.pk)
    errors: dict[str, list[str]] = {}
    if not person.party_status:
        errors.setdefault("person", []).append(_("Only a Party member reports to a community."))
    if MemberReport.objects.filter(person=person, ended_on__isnull=True).exists():
        errors.setdefault("person", []).append(_("This member has already reported; re-report instead."))
    community = home_community(person)
    if community is None:
        errors.setdefault("person", []).append(_("The member's home is not inside a community."))
    elif service_post.community_id != community.pk:
        errors.setdefault("service_post", []).append(
            _("Choose a post of %(community)s, the community where the member lives.")
            % {"community": community.name}
        )
    if not service_post.active:
        errors.setdefault("service_post", []).append(_("This post is closed for reporting."))
    elif service_post.places is not None:
        taken = service_post.reports.filter(ended_on__isnull=True).count()
        if taken >= service_post.places:
            errors.setdefault("service_post", []).append(_("This post has no places left."))
    if channel not in ReportChannel.values:
        errors.setdefault("channel", []).append(_("Unknown way of reporting."))
    if reported_on > timezone.localdate():
        errors.setdefault("reported_on", []).append(_("The date is in the future."))
    if errors:
        raise ValidationError(errors)
    assert community is not None
    rules = member_rules_for(community, on=reported_on)
    return MemberReport.objects.create(
        person=person,
        community=community,
        grid_branch=home_grid_branch(person),
        service_post=service_post,
        employer_unit=employer_unit,
        employer_organisation=_employer_org(employer_unit, employer_organisation),
        channel=channel,
        reported_on=reported_on,
        confirmed_on=reported_on,
        next_due_on=add_months(reported_on, rules.rereport_months),
        rules_version=rules.version,
        entered_by=user_or_none(actor),
    )


@transaction.atomic
def member_report_renew(
    *, report: MemberReport, channel: str, on: date | None = None, actor: Actor = SYSTEM
) -> MemberReport:
    """定期复报到: the member confirms again; the next one is due `rereport_months` later."""
    on = on or timezone.localdate()
    report = (
        MemberReport.objects.select_for_update(of=("self",)).select_related("community").get(pk=report.pk)
    )
    if report.ended_on is not None:
        raise ValidationError(_("This report has ended; report again instead."))
    if on < report.confirmed_on or on > timezone.localdate():
        raise ValidationError({"on": [_("The date must lie between the last report and today.")]})
    if channel not in ReportChannel.values:
        raise ValidationError({"channel": [_("Unknown way of reporting.")]})
    rules = member_rules_for(report.community, on=on)
    report.confirmed_on = on
    report.next_due_on = add_months(on, rules.rereport_months)
    report.rules_version = rules.version
    report.save(update_fields=["confirmed_on", "next_due_on", "rules_version", "updated_at"])
    MemberReportRenewal.objects.create(
        report=report,
        confirmed_on=on,
        channel=channel,
        by=user_or_none(actor),
    )
    return report


def member_report_update(*, report: MemberReport, actor: Actor, **changes: Any) -> MemberReport:
    """Change the post or the employer of an active report."""
    fields = ("service_post", "employer_unit", "employer_organisation")
    editing = audited_edit(
        MemberReport,
        report.pk,
        actor=actor,
        fields=fields,
        region=lambda r: r.community,
        related=("community",),
    )
    with editing as edit:
        _report_change(edit.row, actor, changes)
    return edit.row


def _report_change(report: MemberReport, actor: Actor, changes: dict[str, Any]) -> None:
    require_scope(actor, Capability.MEMBERS_MANAGE, report.community)
    if report.ended_on is not None:
        raise ValidationError(_("This report has ended."))
    if "service_post" in changes:
        post = changes["service_post"]
        if post.community_id != report.community_id:
            raise ValidationError({"service_post": [_("Choose a post of the community reported to.")]})
        taken = post.reports.filter(ended_on__isnull=True).count() if post.places is not None else 0
        if post.pk != report.service_post_id and post.places is not None and taken >= post.places:
            raise ValidationError({"service_post": [_("This post has no places left.")]})
        report.service_post = post
    if "employer_unit" in changes:
        report.employer_unit = changes["employer_unit"]
        if "employer_organisation" not in changes:
            report.employer_organisation = _employer_org(report.employer_unit, None)
    if "employer_organisation" in changes:
        report.employer_organisation = _employer_org(report.employer_unit, changes["employer_organisation"])


@transaction.atomic
def member_report_end(*, report: MemberReport, on: date | None = None, reason: str = "") -> MemberReport:
    on = on or timezone.localdate()
    report = MemberReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if report.ended_on is not None:
        return report
    if on < report.reported_on:
        raise ValidationError({"on": [_("A report cannot end before it started.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason (moved away, transferred, …).")]})
    report.ended_on = on
    report.end_reason = reason.strip()[:200]
    report.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return report


def rereport_reminders_send(*, today: date | None = None) -> int:
    """Remind each member once per due date that re-reporting is due (or overdue)."""

    today = today or timezone.localdate()
    sent = 0
    books: dict[int, RulesBook] = {}
    due = (
        MemberReport.objects.filter(ended_on__isnull=True, next_due_on__lte=today + timedelta(days=60))
        .select_related("person", "community")
        .order_by("pk")
    )
    for report in due.iterator(chunk_size=1000):
        book = books.get(report.community_id)
        if book is None:
            book = books[report.community_id] = RulesBook(report.community)
        if report.next_due_on - timedelta(days=book.at(today).rereport_warn_days) > today:
            continue
        account = getattr(report.person, "account", None)
        if account is None:
            continue
        sent += notify(
            users=[account],
            event_key=f"members-rereport:{report.pk}:{report.next_due_on:%Y%m%d}",
            title=_("Re-reporting to %(community)s is due on %(day)s")
            % {"community": report.community.name, "day": report.next_due_on.isoformat()},
            body=_("Confirm your service post online in Tongxin; it takes a minute."),
            url=reverse("members:me"),
        )
    return sent


# ---- unit reports (单位报到) -------------------------------------------------------------------


@transaction.atomic
def unit_report_create(
    *,
    unit: Any,
    community: Region,
    reported_on: date | None = None,
    commitments: str = "",
    actor: Actor = SYSTEM,
) -> UnitReport:
    """A partner unit's Party organisation reports to the community where it sits."""
    reported_on = reported_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if community.level != Level.COMMUNITY:
        errors.setdefault("community", []).append(_("A unit reports to a community or village."))
    elif not (community.path.startswith(unit.region.path) or unit.region.path.startswith(community.path)):
        errors.setdefault("community", []).append(
            _("A unit reports to a community of the area where it sits.")
        )
    if UnitReport.objects.filter(unit=unit, community=community, ended_on__isnull=True).exists():
        errors.setdefault("unit", []).append(_("This unit has already reported to this community."))
    if reported_on > timezone.localdate():
        errors.setdefault("reported_on", []).append(_("The date is in the future."))
    if errors:
        raise ValidationError(errors)
    rules = member_rules_for(community, on=reported_on)
    return UnitReport.objects.create(
        unit=unit,
        community=community,
        reported_on=reported_on,
        next_due_on=add_months(reported_on, rules.unit_rereport_months),
        commitments=commitments.strip(),
        entered_by=user_or_none(actor),
    )


@transaction.atomic
def unit_report_renew(
    *, report: UnitReport, on: date | None = None, commitments: str | None = None
) -> UnitReport:
    on = on or timezone.localdate()
    report = UnitReport.objects.select_for_update(of=("self",)).select_related("community").get(pk=report.pk)
    if report.ended_on is not None:
        raise ValidationError(_("This report has ended."))
    if on < report.reported_on or on > timezone.localdate():
        raise ValidationError({"on": [_("The date must lie between the last report and today.")]})
    rules = member_rules_for(report.community, on=on)
    report.reported_on = on
    report.next_due_on = add_months(on, rules.unit_rereport_months)
    if commitments is not None:
        report.commitments = commitments.strip()
    report.save()
    return report


@transaction.atomic
def unit_report_end(*, report: UnitReport, on: date | None = None) -> UnitReport:
    report = UnitReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if report.ended_on is None:
        report.ended_on = on or timezone.localdate()
        report.save(update_fields=["ended_on"])
    return report


# ---- rule versions ----------------------------------------------------------------------------


@transaction.atomic
def member_rules_create(
    *,
    version: str,
    source: str,
    valid_from: date,
    region: Region | None = None,
    actor: Actor = SYSTEM,
    star_thresholds: list[int] | None = None,
    **values: Any,
) -> MemberRuleSet:
    """A new version of the rules. Versions are never edited: the old one stays for the past."""
    errors: dict[str, list[str]] = {}
    if not version.strip():
        errors.setdefault("version", []).append(_("Name the version."))
    if not source.strip():
        errors.setdefault("source", []).append(_("Say where the rules come from (a document, a decision)."))
    if MemberRuleSet.objects.filter(region=region, version=version.strip()).exists():
        errors.setdefault("version", []).append(_("This version exists already."))
    thresholds = list(star_thresholds) if star_thresholds else list(DEFAULT_STARS)
    if len(thresholds) != 10 or any(b <= a for a, b in pairwise(thresholds)) or thresholds[0] <= 0:
        errors.setdefault("star_thresholds", []).append(
            _("Give ten increasing point totals, one for each star.")
        )
    allowed = {
        "min_services_per_year",
        "rereport_months",
        "rereport_warn_days",
        "unit_rereport_months",
        "case_hours",
        "project_hours",
        "points_activity",
        "points_case",
        "points_project",
        "points_per_hour",
        "rankings_enabled",
    }
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    for key in ("rereport_months", "unit_rereport_months"):
        if key in values and not 1 <= int(values[key]) <= 24:
            errors.setdefault(key, []).append(_("Between 1 and 24 months."))
    for key in (
        "case_hours",
        "project_hours",
        "points_activity",
        "points_case",
        "points_project",
        "points_per_hour",
    ):
        if key in values and Decimal(values[key]) < 0:
            errors.setdefault(key, []).append(_("Not negative."))
    if errors:
        raise ValidationError(errors)
    return MemberRuleSet.objects.create(
        version=version.strip(),
        source=source.strip(),
        valid_from=valid_from,
        region=region,
        star_thresholds=thresholds,
        created_by=user_or_none(actor),
        **values,
    )


# ---- the service record sync ------------------------------------------------------------------


def service_entries_sync(
    *, source: str, ids: list[str] | None, now: datetime | None = None
) -> tuple[int, int]:
    """Bring the record in line with a source's verified outcomes for `ids` (all if None).

    Returns (written, removed). Idempotent: running it twice changes nothing the second time.
    """
    now = now or timezone.now()
    plugin = sources.SOURCES[source]
    facts = {(f.source_id, f.person_id): f for f in plugin.facts(ids)}
    existing = ServiceEntry.objects.filter(source=source)
    if ids is not None:
        existing = existing.filter(source_id__in=ids)
    written = removed = 0
    with transaction.atomic():
        current = {(e.source_id, e.person_id): e for e in existing.select_for_update(of=("self",))}
        stale = [e.pk for key, e in current.items() if key not in facts]
        if stale:
            removed = ServiceEntry.objects.filter(pk__in=stale).delete()[0]
        new_rows = []
        for key, fact in facts.items():
            entry = current.get(key)
            values = {
                "on": fact.on,
                "hours": fact.hours,
                "title": fact.title[:200],
                "region_id": fact.region_id,
                "url": fact.url[:200],
            }
            if entry is None:
                new_rows.append(
                    ServiceEntry(
                        person_id=fact.person_id,
                        source=source,
                        source_id=fact.source_id,
                        recorded_at=now,
                        **values,
                    )
                )
            elif any(getattr(entry, k) != v for k, v in values.items()):
                ServiceEntry.objects.filter(pk=entry.pk).update(**values)
                written += 1
        ServiceEntry.objects.bulk_create(new_rows, batch_size=1000, ignore_conflicts=True)
        written += len(new_rows)
    return written, removed


# a change stamped before the watermark but committed after it is still read on the next run
SYNC_OVERLAP = timedelta(minutes=10)


def service_record_refresh(*, now: datetime | None = None) -> dict[str, tuple[int, int]]:
    """Read every source from its watermark to now (the periodic job)."""
    now = now or timezone.now()
    done: dict[str, tuple[int, int]] = {}
    for key, plugin in sources.SOURCES.items():
        state = ServiceSyncState.objects.filter(source=key).first()
        since = state.synced_until - SYNC_OVERLAP if state else None
        ids = plugin.changed(since, now)
        if ids is None or ids:
            done[key] = service_entries_sync(source=key, ids=ids, now=now)
        ServiceSyncState.objects.update_or_create(source=key, defaults={"synced_until": now})
    return done


def service_record_sync_on_commit(*, source: str, ids: list[str]) -> None:
    """Sync these objects once the current transaction has committed (the record shows at once)."""
    transaction.on_commit(lambda: service_entries_sync(source=source, ids=ids))
