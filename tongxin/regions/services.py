"""Writes to the region tree. Every change goes through these functions."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _
from shapely.geometry import shape

from tongxin.audit.edits import audited_edit
from tongxin.core.actors import SYSTEM, Actor, require_scope
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib import codes, geo
from tongxin.lib.tree import PATH_SEP, child_path, subtree_range
from tongxin.regions.models import ALLOWED_PARENT_LEVELS, DEFAULT_KIND, Level, Region, RegionCell
from tongxin.regions.signals import region_moved

# a grid may stick out of its community by this much (degrees, ~1 m) for digitising slack
BOUNDARY_TOLERANCE = 0.00001
# share of a grid's area that may overlap a sibling grid before it is refused
MAX_SIBLING_OVERLAP = 0.01


def _community_of(parent: Region | None) -> Region | None:
    if parent is None:
        return None
    return parent if parent.level == Level.COMMUNITY else parent.community()


def region_validate(
    *,
    level: str,
    code: str,
    name: str,
    parent: Region | None,
    kind: str | None = None,
    geometry: Any = None,
    instance: Region | None = None,
) -> Any:
    """Raise ValidationError keyed by field; return the parsed polygon (or None)."""
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors.setdefault("name", []).append(_("A name is required."))
    if level not in Level.values:
        errors.setdefault("level", []).append(_("Unknown level."))
        raise ValidationError(errors)
    allowed = ALLOWED_PARENT_LEVELS[level]
    if parent is None and allowed:
        errors.setdefault("parent", []).append(_("This level needs a parent."))
    if parent is not None:
        if parent.level not in allowed:
            if level == Level.GRID:
                msg = _(
                    "A grid must belong to a community (or to a grid of that community), "
                    "never to a %(level)s."
                )
            else:
                msg = _("A %(child)s cannot be placed under a %(level)s.")
            errors.setdefault("parent", []).append(
                msg % {"level": parent.get_level_display(), "child": Level(level).label}
            )
        if instance is not None and instance.pk and parent.path.startswith(instance.path):
            errors.setdefault("parent", []).append(_("A region cannot be moved under itself."))
    community = _community_of(parent) if level in (Level.GRID, Level.BUILDING) else None
    if not errors.get("parent"):
        try:
            codes.check_code(
                level,
                code,
                parent_code=parent.code if parent is not None else None,
                community_code=community.code if (community and level == Level.GRID) else None,
            )
        except codes.CodeError as exc:
            errors.setdefault("code", []).append(str(exc))
    clash = Region.objects.filter(code=code)
    if instance is not None and instance.pk:
        clash = clash.exclude(pk=instance.pk)
    if code and clash.exists():
        errors.setdefault("code", []).append(
            _("Another region already has the code %(code)s.") % {"code": code}
        )
    polygon = None
    if geometry not in (None, "", {}):
        try:
            polygon = geo.parse_polygon(geometry)
        except geo.GeometryError as exc:
            errors.setdefault("geometry", []).append(str(exc))
    if polygon is not None and parent is not None and not errors.get("parent"):
        outer = parent if parent.level in (Level.COMMUNITY, Level.GRID) and parent.geometry else None
        if level == Level.GRID and outer is None and community is not None and community.geometry:
            outer = community
        if outer is not None and outer.geometry:
            boundary = shape(outer.geometry).buffer(BOUNDARY_TOLERANCE)
            if not boundary.covers(polygon):
                errors.setdefault("geometry", []).append(
                    _("The grid's boundary goes outside %(name)s.") % {"name": outer.name}
                )
        if level == Level.GRID:
            overlap = _overlapping_sibling(polygon, parent=parent, instance=instance)
            if overlap is not None:
                errors.setdefault("geometry", []).append(
                    _("The grid overlaps the neighbouring grid %(name)s.") % {"name": overlap.name}
                )
    if errors:
        raise ValidationError(errors)
    return polygon


def _overlapping_sibling(polygon: Any, *, parent: Region, instance: Region | None) -> Region | None:
    cells = list(geo.cells_covering(polygon.bounds))
    candidates = Region.objects.filter(
        parent=parent, level=Level.GRID, cells__cell__in=cells[:5000]
    ).distinct()
    if instance is not None and instance.pk:
        candidates = candidates.exclude(pk=instance.pk)
    for other in candidates:
        if (
            other.geometry
            and shape(other.geometry).intersection(polygon).area > MAX_SIBLING_OVERLAP * polygon.area
        ):
            return other
    return None


def _apply_geometry(region: Region, polygon: Any) -> None:
    if polygon is None:
        region.geometry = None
        region.min_lng = region.min_lat = region.max_lng = region.max_lat = None
        return
    region.geometry = geo.to_geojson(polygon)
    region.min_lng, region.min_lat, region.max_lng, region.max_lat = polygon.bounds
    if region.centre_lng is None or region.centre_lat is None:
        point = polygon.representative_point()
        region.centre_lng, region.centre_lat = point.x, point.y


def _index_cells(region: Region, polygon: Any) -> None:
    RegionCell.objects.filter(region=region).delete()
    if polygon is None or region.level != Level.GRID:
        return
    RegionCell.objects.bulk_create(
        [RegionCell(cell=c, region=region) for c in geo.cells_covering(polygon.bounds)], batch_size=2000
    )


@transaction.atomic
def region_create(
    *,
    actor: Actor,
    name: str,
    level: str,
    code: str,
    parent: Region | None = None,
    kind: str | None = None,
    geometry: Any = None,
    address: str = "",
    centre: tuple[float, float] | None = None,
) -> Region:
    """A new region under `parent` (which the actor edits); a top-level one only by the system or an
    account whose structure rights cover the whole tree."""
    if parent is not None:
        require_scope(actor, Capability.STRUCTURE_EDIT, parent)
    elif actor != SYSTEM and not scope_for(actor, Capability.STRUCTURE_EDIT).contains(PATH_SEP):
        raise PermissionDenied(_("Only the system administrator creates a top-level region."))
    polygon = region_validate(level=level, code=code, name=name, parent=parent, kind=kind, geometry=geometry)
    region = Region(
        name=name.strip(),
        level=level,
        kind=kind or DEFAULT_KIND[Level(level)],
        code=code,
        parent=parent,
        address=address,
        depth=(parent.depth + 1) if parent else 0,
    )
    if centre is not None:
        region.centre_lng, region.centre_lat = centre
    _apply_geometry(region, polygon)
    region.save()
    region.path = child_path(parent.path if parent else "", region.pk)
    Region.objects.filter(pk=region.pk).update(path=region.path)
    _index_cells(region, polygon)
    return region


REGION_FIELDS = ("name", "code", "kind", "address", "centre_lng", "centre_lat", "geometry")


def region_update(
    *,
    region: Region,
    actor: Actor,
    name: str | None = None,
    code: str | None = None,
    kind: str | None = None,
    address: str | None = None,
    geometry: Any = ...,
    centre: tuple[float, float] | None = None,
) -> Region:
    editing = audited_edit(Region, region.pk, actor=actor, fields=REGION_FIELDS, region=lambda r: r)
    with editing as edit:
        _region_change(edit.row, actor, name, code, kind, address, geometry, centre)
    return edit.row


def _region_change(
    region: Region,
    actor: Actor,
    name: str | None,
    code: str | None,
    kind: str | None,
    address: str | None,
    geometry: Any,
    centre: tuple[float, float] | None,
) -> None:
    require_scope(actor, Capability.STRUCTURE_EDIT, region)
    new_geometry = region.geometry if geometry is ... else geometry
    polygon = region_validate(
        level=region.level,
        code=code if code is not None else region.code,
        name=name if name is not None else region.name,
        parent=region.parent,
        kind=kind,
        geometry=new_geometry,
        instance=region,
    )
    if name is not None:
        region.name = name.strip()
    if code is not None and code != region.code:
        _recode_descendants(region, code)
        region.code = code
    if kind:
        region.kind = kind
    if address is not None:
        region.address = address
    if centre is not None:
        region.centre_lng, region.centre_lat = centre
    if geometry is not ...:
        if centre is None:
            region.centre_lng = region.centre_lat = None
        _apply_geometry(region, polygon)
        _index_cells(region, polygon)


@transaction.atomic
def region_move(*, region: Region, new_parent: Region, new_code: str | None = None) -> Region:
    """Move a node and its whole subtree under `new_parent` (paths rewritten in one statement); the
    apps that copy paths rewrite theirs on `region_moved`, in the same transaction."""
    region = Region.objects.select_for_update(of=("self",)).get(pk=region.pk)
    code = new_code or region.code
    region_validate(
        level=region.level,
        code=code,
        name=region.name,
        parent=new_parent,
        geometry=region.geometry,
        instance=region,
    )
    if code != region.code:
        _recode_descendants(region, code)  # before the paths change: it selects by the old path
    old_path = region.path
    new_path = child_path(new_parent.path, region.pk)
    depth_shift = (new_parent.depth + 1) - region.depth
    low, high = subtree_range(old_path)

    Region.objects.filter(path__gte=low, path__lt=high).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_shift,
    )
    Region.objects.filter(pk=region.pk).update(parent=new_parent, code=code)
    region.refresh_from_db()
    region_moved.send(sender=Region, region=region, old_path=old_path, new_path=new_path)
    return region


def _recode_descendants(region: Region, new_code: str) -> None:
    """Descendants' codes begin with this node's significant digits: carry them over."""

    n = codes.SIGNIFICANT_DIGITS[region.level]
    old_sig, new_sig = region.code[:n], new_code[:n]
    if old_sig == new_sig:
        return
    low, high = subtree_range(region.path)
    try:
        with transaction.atomic():
            Region.objects.filter(path__gte=low, path__lt=high).exclude(pk=region.pk).update(
                code=Concat(Value(new_sig), Substr("code", n + 1))
            )
    except IntegrityError:
        raise ValidationError(
            {"code": [_("The new code would give a region below the code of another region.")]}
        )


@transaction.atomic
def region_delete(*, region: Region) -> None:
    if region.children.exists():
        raise ValidationError(_("Remove or move the regions under %(name)s first.") % {"name": region.name})
    if region.people.exists() or region.organisations.exists() or region.positions.exists():
        raise ValidationError(
            _("People, organisations or positions still belong to %(name)s.") % {"name": region.name}
        )
    region.delete()
