"""Forms for the region pages, and the scoped pickers that every structure form uses."""

import json
from collections.abc import Iterable
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import ScopedForm
from tongxin.regions.models import ALLOWED_PARENT_LEVELS, Kind, Level, Region
from tongxin.regions.selectors import region_choices

# which local names (区/县/旗, 街道/乡镇/苏木, 社区/村/嘎查) fit which level
LEVEL_KINDS: dict[str, list[str]] = {
    Level.CITY: [Kind.CITY],
    Level.COUNTY: [Kind.DISTRICT, Kind.COUNTY, Kind.BANNER],
    Level.STREET: [Kind.STREET, Kind.TOWN, Kind.TOWNSHIP, Kind.SUMU],
    Level.COMMUNITY: [Kind.COMMUNITY, Kind.VILLAGE, Kind.GACHA],
    Level.GRID: [Kind.GRID],
    Level.BUILDING: [Kind.BUILDING],
}
BOUNDARY_LEVELS = {Level.COMMUNITY, Level.GRID}


class ScopedSelect(forms.Select):
    """A <select> that renders at most `option_limit` choices of a large queryset.

    When there are more, a search box above it reloads the options over htmx from `search_url`;
    the field still validates against the whole (scoped) queryset.
    """

    template_name = "regions/widgets/scoped_select.html"
    option_limit = 200

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.search_url = ""
        self.truncated = False

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> Any:
        iterator = self.choices
        queryset = getattr(iterator, "queryset", None)
        if queryset is None:
            return super().optgroups(name, value, attrs)
        field = iterator.field  # type: ignore[attr-defined]
        rows = list(queryset[: self.option_limit + 1])
        self.truncated = len(rows) > self.option_limit
        rows = rows[: self.option_limit]
        shown = {str(r.pk) for r in rows}
        missing = [v for v in value if v and v.isdigit() and v not in shown]
        if missing:
            rows = list(queryset.filter(pk__in=missing)) + rows
        base = min((r.depth for r in rows), default=0)
        options: list[tuple[str, str]] = []
        if field.empty_label is not None:
            options.append(("", field.empty_label))
        options += [(str(r.pk), "\u3000" * (r.depth - base) + field.label_from_instance(r)) for r in rows]
        self.choices = options
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = iterator

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["truncated"] = self.truncated
        context["widget"]["search_url"] = self.search_url
        return context


class RegionChoiceField(forms.ModelChoiceField):
    widget = ScopedSelect

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Region.objects.none(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.get_level_display()} · {obj.code}"

    def limit_to(
        self,
        user: Any,
        *,
        capability: str,
        levels: Iterable[str] | None = None,
        within: Region | None = None,
        not_within: Region | None = None,
    ) -> None:
        levels = list(levels) if levels else None
        self.queryset = region_choices(
            user, capability=capability, levels=levels, within=within, not_within=not_within
        ).only("pk", "name", "level", "code", "depth", "path")
        params: dict[str, Any] = {"cap": capability}
        if levels:
            params["levels"] = ",".join(levels)
        if within is not None:
            params["within"] = within.pk
        if not_within is not None:
            params["not_within"] = not_within.pk
        self.widget.search_url = f"{reverse('regions:choices')}?{urlencode(params)}"


def _kind_choices() -> list[tuple[str, Any]]:
    return [("", _("Usual name for the level")), *Kind.choices]


class RegionForm(ScopedForm):
    """Create a region. Checks that need the tree are the service's (region_validate). The parent
    picker keeps to the capability the view passes; buildings are never parents."""

    required_css_class = "required"
    wide_fields = ("address",)
    scoped = {"parent": {"levels": [lv for lv in Level.values if lv != Level.BUILDING]}}
    fixed = ("level", "parent")

    name = forms.CharField(label=_("Name"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=_kind_choices, required=False)
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "12-digit statistical code for city to community; a grid adds a 3-digit number to its "
            "community's code, a building a 5-digit number to its grid's code."
        ),
    )
    parent = RegionChoiceField(label=_("Parent"), required=False)
    centre_lat = forms.FloatField(label=_("Centre latitude"), required=False, min_value=-90, max_value=90)
    centre_lng = forms.FloatField(label=_("Centre longitude"), required=False, min_value=-180, max_value=180)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    geometry = forms.CharField(
        label=_("Boundary (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "mono"}),
        help_text=_(
            "For grids and communities: a GeoJSON Polygon in longitude, latitude. Leave empty if unknown."
        ),
    )

    def clean_geometry(self) -> Any:
        text = (self.cleaned_data.get("geometry") or "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise ValidationError(_("This is not valid JSON."))
        if not isinstance(value, dict):
            raise ValidationError(_("Paste a GeoJSON object (a Polygon, MultiPolygon or Feature)."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lng = data.get("centre_lat"), data.get("centre_lng")
        if (lat is None) != (lng is None):
            self.add_error("centre_lng", _("Enter both latitude and longitude, or neither."))
        level = data.get("level") or getattr(self, "region_level", None)
        kind = data.get("kind")
        if kind and level and kind not in LEVEL_KINDS.get(level, []):
            self.add_error("kind", _("This kind does not fit the level."))
        return data

    @property
    def centre(self) -> tuple[float, float] | None:
        lat, lng = self.cleaned_data.get("centre_lat"), self.cleaned_data.get("centre_lng")
        if lat is None or lng is None:
            return None
        return (lng, lat)


class RegionEditForm(RegionForm):
    """Level and parent do not change here (moving is its own page)."""

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, editing=True, **kwargs)
        self.region_level = region.level
        if region.level not in BOUNDARY_LEVELS and not region.geometry:
            del self.fields["geometry"]

    @classmethod
    def initial_for(cls, region: Region) -> dict[str, Any]:
        geometry = json.dumps(region.geometry, ensure_ascii=False) if region.geometry else ""
        return {**super().initial_for(region), "geometry": geometry}


class RegionMoveForm(forms.Form):
    required_css_class = "required"

    new_parent = RegionChoiceField(label=_("New parent"))
    new_code = forms.CharField(
        label=_("New code"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the current code. Codes below it change with it."),
    )

    def __init__(self, *args: Any, user: Any, capability: str, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        cast(RegionChoiceField, self.fields["new_parent"]).limit_to(
            user,
            capability=capability,
            levels=ALLOWED_PARENT_LEVELS[region.level] or ["-"],
            not_within=region,
        )


class RegionFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All levels")), *Level.choices], required=False
    )
