"""Writes of the statistics app: annual targets."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor, user_or_none
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.regions.models import Region
from tongxin.statistics.models import Target
from tongxin.statistics.registry import REGISTRY


@transaction.atomic
def target_set(
    *, actor: Actor, indicator: str, region: Region, year: int, value: Decimal, note: str = ""
) -> Target:
    """Set (or change) the annual target of an indicator at a node; audited with old and new value."""

    if not scope_for(actor, Capability.STATISTICS_TARGETS).contains(region.path):
        raise PermissionDenied
    found = REGISTRY.get(indicator)
    if found is None or not found.targeted:
        raise ValidationError({"indicator": [_("This figure does not take a target.")]})
    if value < 0:
        raise ValidationError({"value": [_("A target cannot be negative.")]})
    target = Target.objects.select_for_update().filter(indicator=indicator, region=region, year=year).first()
    old = None if target is None else str(target.value)
    if target is not None and target.value == value and target.note == note:
        return target
    if target is None:
        target = Target(indicator=indicator, region=region, year=year)
    target.value, target.note, target.set_by, target.set_at = value, note, user_or_none(actor), timezone.now()
    target.save()
    audit_record(
        action=Action.TARGET_SET,
        actor=actor,
        region=region,
        target=f"target:{target.pk}",
        detail={"indicator": indicator, "year": year, "old": old, "new": str(value)},
    )
    return target
