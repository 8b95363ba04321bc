"""Writes of the collective economy: one path each. A village's year is entered once by the
township (`economy_record`: created, or changed through the audited edit), companies and
cooperatives, 5+N projects and their returns by year, and a new version of the tiers.

Who may: `villages.manage` at the village (the township and above); a new tier version needs
`villages.configure` (the county organisation department)."""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_create, audited_edit, known_fields
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor, require_scope, user_or_none
from tongxin.core.roles import Capability
from tongxin.regions.models import Kind, Level, Region
from tongxin.villages.models import (
    INCOME_FIELDS,
    ZERO,
    EconomyProject,
    Enterprise,
    EnterpriseKind,
    ProjectKind,
    ProjectReturn,
    ProjectStatus,
    PropertyReform,
    Tier,
    TierScheme,
    VillageEconomy,
)

MANAGE = Capability.VILLAGES_MANAGE
CONFIGURE = Capability.VILLAGES_CONFIGURE
MONEY_FIELDS = (*INCOME_FIELDS, "assets", "liabilities")
ECONOMY_FIELDS = (*MONEY_FIELDS, "property_reform", "note")
FIRST_YEAR = 2000
CENT = Decimal("0.01")
LIMIT = Decimal("9999999999.99")


def is_village(region: Region) -> bool:
    return region.level == Level.COMMUNITY and region.kind == Kind.VILLAGE


def _village(region: Region) -> None:
    if not is_village(region):
        raise ValidationError({"region": [_("Choose a village.")]})


def check_year(year: int, *, field: str = "year") -> None:
    if not FIRST_YEAR <= year <= date.today().year:
        raise ValidationError(
            {field: [_("Give a year from %(first)s to this year.") % {"first": FIRST_YEAR}]}
        )


def money(value: Any, *, field: str, negative: bool = False) -> Decimal:
    """An amount in 万元 with at most two decimals (Decimal, never float)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip() or "0")
    except ArithmeticError:
        raise ValidationError({field: [_("Give an amount in 万元, e.g. 12.50.")]}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or abs(amount) > LIMIT:
        raise ValidationError({field: [_("Give an amount in 万元 with at most two decimals.")]})
    if amount < 0 and not negative:
        raise ValidationError({field: [_("An amount cannot be negative.")]})
    return amount.quantize(CENT)


def _cleaned(values: Mapping[str, Any]) -> dict[str, Any]:
    known_fields(values, ECONOMY_FIELDS)
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name in MONEY_FIELDS:
            cleaned[name] = money(value, field=name)
        elif name == "property_reform":
            if value not in PropertyReform.values:
                raise ValidationError({name: [_("Choose where the property reform stands.")]})
            cleaned[name] = value
        else:
            cleaned[name] = str(value or "").strip()[:200]
    return cleaned


def _total(economy: VillageEconomy) -> Decimal:
    return sum((getattr(economy, name) for name in INCOME_FIELDS), ZERO)


@transaction.atomic
def economy_create(*, actor: Actor, region: Region, year: int, values: Mapping[str, Any]) -> VillageEconomy:
    """A village's collective economy of a year, entered for the first time."""
    require_scope(actor, MANAGE, region)
    _village(region)
    check_year(year)
    cleaned = _cleaned(values)
    if VillageEconomy.objects.filter(region=region, year=year).exists():
        raise ValidationError({"year": [_("This village's year is already entered; change it instead.")]})
    economy = VillageEconomy(region=region, year=year, entered_by=user_or_none(actor), **cleaned)
    economy.total_income = _total(economy)
    economy.save()
    audited_create(economy, actor=actor, region=region, created={k: str(v) for k, v in cleaned.items()})
    return economy


def economy_update(*, actor: Actor, economy: VillageEconomy, changes: Mapping[str, Any]) -> VillageEconomy:
    """Change a village's year: the audited edit (old and new values, the actor)."""
    require_scope(actor, MANAGE, economy.region)
    cleaned = _cleaned(changes)
    with audited_edit(
        VillageEconomy,
        economy.pk,
        actor=actor,
        fields=(*ECONOMY_FIELDS, "total_income"),
        region=lambda e: e.region,
        related=("region",),
    ) as edit:
        edit.set(cleaned)
        edit.row.total_income = _total(edit.row)
        if edit.row.entered_by_id is None:
            edit.row.entered_by = user_or_none(actor)
    return edit.row


def economy_record(*, actor: Actor, region: Region, year: int, values: Mapping[str, Any]) -> VillageEconomy:
    """The township's form for a village and year: the first entry, or a change of it."""
    found = VillageEconomy.objects.filter(region=region, year=year).first()
    if found is None:
        return economy_create(actor=actor, region=region, year=year, values=values)
    return economy_update(actor=actor, economy=found, changes=values)


@transaction.atomic
def enterprise_create(
    *,
    actor: Actor,
    region: Region,
    name: str,
    kind: str,
    registered_capital: Any = ZERO,
    founded_on: date | None = None,
) -> Enterprise:
    """A village collective company or cooperative."""
    require_scope(actor, MANAGE, region)
    _village(region)
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the name.")]})
    if kind not in EnterpriseKind.values:
        raise ValidationError({"kind": [_("Choose the kind.")]})
    if founded_on is not None and founded_on > date.today():
        raise ValidationError({"founded_on": [_("The date cannot lie in the future.")]})
    if Enterprise.objects.filter(region=region, name=name).exists():
        raise ValidationError({"name": [_("This village already has an enterprise of that name.")]})
    enterprise = Enterprise.objects.create(
        region=region,
        name=name,
        kind=kind,
        registered_capital=money(registered_capital, field="registered_capital"),
        founded_on=founded_on,
    )
    audited_create(enterprise, actor=actor, region=region, created={"name": name, "kind": kind})
    return enterprise


@transaction.atomic
def project_create(
    *, actor: Actor, region: Region, name: str, kind: str, investment: Any, year: int, status: str
) -> EconomyProject:
    """A 5+N collective-economy project of a village."""
    require_scope(actor, MANAGE, region)
    _village(region)
    check_year(year)
    if kind not in ProjectKind.values:
        raise ValidationError({"kind": [_("Choose the kind.")]})
    if status not in ProjectStatus.values:
        raise ValidationError({"status": [_("Choose the status.")]})
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the name.")]})
    if EconomyProject.objects.filter(region=region, name=name).exists():
        raise ValidationError({"name": [_("This village already has a project of that name.")]})
    project = EconomyProject.objects.create(
        region=region,
        name=name,
        kind=kind,
        investment=money(investment, field="investment"),
        year=year,
        status=status,
    )
    audited_create(
        project, actor=actor, region=region, created={"name": name, "investment": str(project.investment)}
    )
    return project


def project_update(*, actor: Actor, project: EconomyProject, changes: Mapping[str, Any]) -> EconomyProject:
    """Change a project's status or investment (audited)."""
    require_scope(actor, MANAGE, project.region)
    known_fields(changes, ("status", "investment", "name"))
    cleaned = dict(changes)
    if "investment" in cleaned:
        cleaned["investment"] = money(cleaned["investment"], field="investment")
    if "status" in cleaned and cleaned["status"] not in ProjectStatus.values:
        raise ValidationError({"status": [_("Choose the status.")]})
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"]).strip()
        if not cleaned["name"]:
            raise ValidationError({"name": [_("Give the name.")]})
        taken = EconomyProject.objects.filter(region_id=project.region_id, name=cleaned["name"])
        if taken.exclude(pk=project.pk).exists():
            raise ValidationError({"name": [_("This village already has a project of that name.")]})
    with audited_edit(
        EconomyProject,
        project.pk,
        actor=actor,
        fields=("status", "investment", "name"),
        region=lambda p: p.region,
        related=("region",),
    ) as edit:
        edit.set(cleaned)
    return edit.row


@transaction.atomic
def project_return_record(*, actor: Actor, project: EconomyProject, year: int, amount: Any) -> ProjectReturn:
    """What a project returned in a year (entered once a year; a second entry replaces the first)."""
    require_scope(actor, MANAGE, project.region)
    check_year(year)
    value = money(amount, field="amount")
    row, created = ProjectReturn.objects.select_for_update().get_or_create(
        project=project, year=year, defaults={"amount": value}
    )
    old = None if created else str(row.amount)
    if not created and row.amount == value:
        return row
    row.amount = value
    row.save()
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=actor,
        region=project.region,
        target=f"projectreturn:{row.pk}",
        detail={"model": "villages.ProjectReturn", "changes": {"amount": [old, str(value)]}, "year": year},
    )
    return row


@transaction.atomic
def tier_scheme_create(
    *, actor: Actor, year_from: int, tiers: Iterable[tuple[str, Any, bool]], source: str = ""
) -> TierScheme:
    """A new version of the tiers, in force from `year_from` (a scheme in use is never changed).
    `tiers` are (name, at least in 万元, weak) from the highest down; the lowest starts at 0."""
    region = Region.objects.filter(level=Level.COUNTY).first()
    require_scope(actor, CONFIGURE, region)
    if not FIRST_YEAR <= year_from <= date.today().year + 1:
        raise ValidationError(
            {"year_from": [_("Give a year from %(first)s to next year.") % {"first": FIRST_YEAR}]}
        )
    rows = [(name.strip(), money(low, field="tiers"), bool(weak)) for name, low, weak in tiers]
    if not rows or rows[-1][1] != ZERO:
        raise ValidationError({"tiers": [_("The lowest tier starts at 0 万元.")]})
    if any(a[1] <= b[1] for a, b in pairwise(rows)) or any(not r[0] for r in rows):
        raise ValidationError({"tiers": [_("Name each tier and give thresholds from the highest down.")]})
    version = (TierScheme.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    scheme = TierScheme.objects.create(version=version, year_from=year_from, source=source.strip()[:200])
    Tier.objects.bulk_create(
        Tier(scheme=scheme, rank=rank, name=name, min_income=low, weak=weak)
        for rank, (name, low, weak) in enumerate(rows, start=1)
    )
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=actor,
        target=f"tierscheme:{scheme.pk}",
        detail={"model": "villages.TierScheme", "created": {"version": version, "year_from": year_from}},
    )
    return scheme


ENTERPRISE_FIELDS = ("name", "kind", "registered_capital", "founded_on", "active")


def enterprise_update(*, actor: Actor, enterprise: Enterprise, changes: Mapping[str, Any]) -> Enterprise:
    """Change a company or cooperative: its name, kind, capital, founding date, or close it (audited)."""
    require_scope(actor, MANAGE, enterprise.region)
    known_fields(changes, ENTERPRISE_FIELDS)
    cleaned = dict(changes)
    if "registered_capital" in cleaned:
        cleaned["registered_capital"] = money(cleaned["registered_capital"], field="registered_capital")
    if "kind" in cleaned and cleaned["kind"] not in EnterpriseKind.values:
        raise ValidationError({"kind": [_("Choose the kind.")]})
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"]).strip()
        if not cleaned["name"]:
            raise ValidationError({"name": [_("Give the name.")]})
        taken = Enterprise.objects.filter(region_id=enterprise.region_id, name=cleaned["name"])
        if taken.exclude(pk=enterprise.pk).exists():
            raise ValidationError({"name": [_("This village already has an enterprise of that name.")]})
    if cleaned.get("founded_on") is not None and cleaned["founded_on"] > date.today():
        raise ValidationError({"founded_on": [_("The date cannot lie in the future.")]})
    with audited_edit(
        Enterprise,
        enterprise.pk,
        actor=actor,
        fields=ENTERPRISE_FIELDS,
        region=lambda e: e.region,
        related=("region",),
    ) as edit:
        edit.set(cleaned)
    return edit.row
