"""Writes of case configuration: categories and their limits, whistle types and routes, the
holiday calendar, the rules of the three rates. Deadlines are computed at dispatch, so a change
applies to cases dispatched after it; cases already on the clock keep the limits they were given."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.cases.models import (
    CalendarDay,
    CaseCategory,
    RateRuleSet,
    Responder,
    WhistleRouteStep,
    WhistleType,
)
from tongxin.cases.selectors import rate_rules_for
from tongxin.core.actors import SYSTEM, Actor, user_or_none

CATEGORY_FIELDS = (
    "code",
    "name",
    "parent",
    "response_hours",
    "handling_hours",
    "closure_hours",
    "warn_share",
    "auto_whistle",
    "active",
)


def local_rules_version(today: date | None = None) -> str:
    """A row edited locally no longer matches the national default it was seeded from."""
    return f"local-{(today or timezone.localdate()):%Y%m%d}"


def category_validate(*, category: CaseCategory | None, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    parent = data.get("parent")
    if parent is not None:
        if parent.parent_id is not None:
            errors.setdefault("parent", []).append(
                _("Categories have two levels: choose a first-level parent.")
            )
        if category is not None and category.pk == parent.pk:
            errors.setdefault("parent", []).append(_("A category cannot be its own parent."))
        if category is not None and category.children.exists():
            errors.setdefault("parent", []).append(
                _("This category has sub-categories, so it must stay on the first level.")
            )
    response, handling, closure = (
        Decimal(data.get("response_hours") or 0),
        Decimal(data.get("handling_hours") or 0),
        Decimal(data.get("closure_hours") or 0),
    )
    if min(response, handling, closure) <= 0:
        errors.setdefault("response_hours", []).append(_("Every time limit must be more than zero hours."))
    elif not response <= handling <= closure:
        errors.setdefault("handling_hours", []).append(
            _("The limits must grow: response ≤ handling ≤ closure.")
        )
    share = Decimal(data.get("warn_share") or 0)
    if not Decimal("0.1") <= share < 1:
        errors.setdefault("warn_share", []).append(_("Warn at a share between 0.1 and 0.99 of the time."))
    code = (data.get("code") or "").strip()
    duplicate = CaseCategory.objects.filter(code=code)
    if category is not None:
        duplicate = duplicate.exclude(pk=category.pk)
    if code and duplicate.exists():
        errors.setdefault("code", []).append(_("Another category already has this code."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def category_save(*, category: CaseCategory | None = None, **data: Any) -> CaseCategory:
    """Create or change a category; its limits apply to cases dispatched from now on."""
    category_validate(category=category, data=data)
    category = category or CaseCategory()
    for name in CATEGORY_FIELDS:
        if name in data:
            setattr(category, name, data[name])
    category.rules_version = local_rules_version()
    category.save()
    return category


@transaction.atomic
def whistle_type_save(
    *,
    whistle_type: WhistleType | None = None,
    code: str,
    name: str,
    description: str = "",
    active: bool = True,
    steps: list[dict[str, Any]],
) -> WhistleType:
    """A whistle type and its whole route, replaced at once. Steps are numbered 1, 2, 3 … in order."""
    errors: dict[str, list[str]] = {}
    duplicate = WhistleType.objects.filter(code=code.strip())
    if whistle_type is not None:
        duplicate = duplicate.exclude(pk=whistle_type.pk)
    if duplicate.exists():
        errors.setdefault("code", []).append(_("Another whistle type already has this code."))
    if not steps:
        errors.setdefault("steps", []).append(_("A whistle needs at least one step on its route."))
    for number, step in enumerate(steps, start=1):
        target = step.get("target")
        if target not in WhistleRouteStep.Target.values:
            errors.setdefault("steps", []).append(_("Step %(n)d: choose whom it goes to.") % {"n": number})
        elif (target == WhistleRouteStep.Target.RESPONDER_KIND) != bool(step.get("responder_kind")):
            errors.setdefault("steps", []).append(
                _("Step %(n)d: name the kind of responder only when the step goes to a responder.")
                % {"n": number}
            )
        if step.get("responder_kind") and step["responder_kind"] not in Responder.Kind.values:
            errors.setdefault("steps", []).append(_("Step %(n)d: unknown kind of responder.") % {"n": number})
        if Decimal(step.get("report_hours") or 0) <= 0:
            errors.setdefault("steps", []).append(
                _("Step %(n)d: the time to report must be more than zero hours.") % {"n": number}
            )
    if errors:
        raise ValidationError(errors)
    whistle_type = whistle_type or WhistleType()
    whistle_type.code = code.strip()
    whistle_type.name = name.strip()
    whistle_type.description = description.strip()
    whistle_type.active = active
    whistle_type.save()
    whistle_type.steps.all().delete()
    WhistleRouteStep.objects.bulk_create(
        WhistleRouteStep(
            whistle_type=whistle_type,
            step=number,
            target=step["target"],
            responder_kind=step.get("responder_kind") or "",
            report_hours=step["report_hours"],
        )
        for number, step in enumerate(steps, start=1)
    )
    return whistle_type


def calendar_day_save(*, day: date, kind: str, name: str = "") -> CalendarDay:
    """Mark a date as a holiday or a make-up working day (the date's earlier entry is replaced)."""
    if kind not in CalendarDay.Kind.values:
        raise ValidationError({"kind": [_("Choose holiday or make-up working day.")]})
    entry, _created = CalendarDay.objects.update_or_create(
        day=day, defaults={"kind": kind, "name": name.strip()}
    )
    return entry


def calendar_day_delete(*, entry: CalendarDay) -> None:
    entry.delete()


def rate_rules_add(
    *,
    basically_weight: Decimal,
    valid_from: date,
    note: str = "",
    actor: Actor = SYSTEM,
    now: Any = None,
) -> RateRuleSet:
    """A new version of the rules of the three rates, in force from `valid_from` (today or later:
    the figures of days already past stay as they were published).

    Versions are only added: the new row records the weight it replaces, who added it and when.
    Refused if the weight is already the one in force on that day.
    """

    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    weight = Decimal(basically_weight)
    if not Decimal(0) <= weight <= Decimal(1):
        errors.setdefault("basically_weight", []).append(_("The weight must lie between 0 and 1."))
    elif weight != weight.quantize(Decimal("0.001")):
        errors.setdefault("basically_weight", []).append(_("Give the weight with at most three decimals."))
    if valid_from < timezone.localdate(now):
        errors.setdefault("valid_from", []).append(
            _("A new version starts today or later: the figures of past days stay as they were published.")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # one version at a time: the newest row is locked while the next number is taken
        newest = RateRuleSet.objects.select_for_update().order_by("-version").first()
        replaced = rate_rules_for(valid_from).basically_weight
        if replaced == weight:
            raise ValidationError({"basically_weight": [_("This weight is already in force on that day.")]})
        try:
            with transaction.atomic():
                return RateRuleSet.objects.create(
                    version=(newest.version if newest is not None else 0) + 1,
                    valid_from=valid_from,
                    basically_weight=weight,
                    previous_weight=replaced,
                    note=note.strip(),
                    created_by=user_or_none(actor),
                    created_at=now,
                )
        except IntegrityError as exc:  # another version took the number first
            raise ValidationError(
                _("Someone else added a version a moment ago. Reload the page and try again.")
            ) from exc
