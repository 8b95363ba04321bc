"""The region forms and the scoped picker widget."""

import json
from typing import Any, cast

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.forms import ModelChoiceField

from tongxin.core.actors import SYSTEM
from tongxin.core.forms import add_service_errors
from tongxin.core.roles import Capability, Role
from tongxin.lib.geo import rectangle
from tongxin.regions.forms import RegionEditForm, RegionForm, RegionMoveForm, ScopedSelect
from tongxin.regions.models import Level
from tongxin.regions.services import region_create
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


def choices(form: Any, name: str) -> Any:
    return cast(ModelChoiceField, form.fields[name]).queryset


EDIT = Capability.STRUCTURE_EDIT


@pytest.fixture
def official(tree):
    return make_user(Role.STREET_OFFICIAL, tree.street_a)


def test_geometry_is_parsed_and_checked(tree, official):
    base = {"name": "x", "level": "grid", "code": "320508019044009", "parent": tree.community_a1.pk}
    geometry = rectangle(120.6, 31.3, 120.61, 31.31)
    form = RegionForm({**base, "geometry": json.dumps(geometry)}, user=official, capability=EDIT)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["geometry"] == geometry
    for bad in ("{", "[1, 2]", '"Polygon"'):
        form = RegionForm({**base, "geometry": bad}, user=official, capability=EDIT)
        assert not form.is_valid() and "geometry" in form.errors
    form = RegionForm({**base, "geometry": "  "}, user=official, capability=EDIT)
    assert form.is_valid() and form.cleaned_data["geometry"] is None


def test_centre_needs_both_coordinates(tree, official):
    base = {"name": "x", "level": "grid", "code": "320508019044009", "parent": tree.community_a1.pk}
    form = RegionForm({**base, "centre_lat": "31.3"}, user=official, capability=EDIT)
    assert not form.is_valid() and "centre_lng" in form.errors
    form = RegionForm({**base, "centre_lat": "31.3", "centre_lng": "120.6"}, user=official, capability=EDIT)
    assert form.is_valid() and form.centre == (120.6, 31.3)
    form = RegionForm({**base, "centre_lat": "95", "centre_lng": "120.6"}, user=official, capability=EDIT)
    assert "centre_lat" in form.errors


def test_kind_must_fit_level(tree, official):
    base = {"name": "x", "level": "community", "code": "320508019046", "parent": tree.street_a.pk}
    assert RegionForm({**base, "kind": "village"}, user=official, capability=EDIT).is_valid()
    form = RegionForm({**base, "kind": "town"}, user=official, capability=EDIT)
    assert not form.is_valid() and "kind" in form.errors
    edit = RegionEditForm(
        {"name": "x", "code": tree.street_a.code, "kind": "village"},
        user=official,
        capability=EDIT,
        region=tree.street_a,
    )
    assert not edit.is_valid() and "kind" in edit.errors


def test_parent_choices_are_the_edit_scope_without_buildings(tree, official):
    form = RegionForm(user=official, capability=EDIT)
    parents = set(choices(form, "parent").values_list("name", flat=True))
    assert "双塔街道" in parents and "滚绣坊社区第1网格" in parents
    assert "1幢" not in parents and "平江街道" not in parents and "姑苏区" not in parents


def test_edit_form_drops_boundary_for_streets(tree, official):
    assert "geometry" not in RegionEditForm(user=official, capability=EDIT, region=tree.street_a).fields
    assert "geometry" in RegionEditForm(user=official, capability=EDIT, region=tree.grids["1.1"]).fields
    initial = RegionEditForm.initial_for(tree.grids["1.1"])
    assert json.loads(initial["geometry"]) == tree.grids["1.1"].geometry


def test_move_form_offers_only_allowed_parents_outside_own_subtree(tree, official):
    form = RegionMoveForm(user=official, capability=EDIT, region=tree.grids["1.1"])
    names = set(choices(form, "new_parent").values_list("name", flat=True))
    assert names == {
        "滚绣坊社区",
        "锦帆路社区",
        "滚绣坊社区第2网格",
        "锦帆路社区第1网格",
        "锦帆路社区第2网格",
    }


def test_scoped_select_truncates_and_keeps_the_selected_value(tree, official, monkeypatch):
    monkeypatch.setattr(ScopedSelect, "option_limit", 3)
    form = RegionForm(initial={"parent": tree.grids["2.2"]}, user=official, capability=EDIT)
    html = str(form["parent"])
    assert 'class="picker-search"' in html and "/regions/choices/?cap=structure.edit" in html
    assert html.count("<option") == 1 + 3 + 1  # empty, the first three, and the selected grid
    assert f'value="{tree.grids["2.2"].pk}" selected' in html
    monkeypatch.setattr(ScopedSelect, "option_limit", 200)
    html = str(RegionForm(user=official, capability=EDIT)["parent"])
    assert "picker-search" not in html


def test_add_service_errors_maps_fields():
    class F(forms.Form):
        new_code = forms.CharField()

    form = F({"new_code": "1"})
    assert form.is_valid()
    add_service_errors(
        form, ValidationError({"code": ["bad code"], "geometry": ["bad shape"]}), {"code": "new_code"}
    )
    assert form.errors["new_code"] == ["bad code"]
    assert form.non_field_errors() == ["bad shape"]
    form = F({"new_code": "1"})
    form.is_valid()
    add_service_errors(form, ValidationError("plain"))
    assert form.non_field_errors() == ["plain"]


def test_region_create_form_round_trip(tree, official):
    """What the form cleans is what the service takes."""
    form = RegionForm(
        {
            "name": "新社区",
            "level": "community",
            "code": "320508019046",
            "parent": tree.street_a.pk,
            "kind": "",
        },
        user=official,
        capability=EDIT,
    )
    assert form.is_valid()
    data = form.cleaned_data
    region = region_create(
        actor=SYSTEM,
        name=data["name"],
        level=data["level"],
        code=data["code"],
        parent=data["parent"],
        kind=data["kind"] or None,
        geometry=data["geometry"],
        centre=form.centre,
    )
    assert region.level == Level.COMMUNITY and region.kind == "community"
