"""The person and position forms."""

from typing import Any, cast

import pytest
from django.forms import ModelChoiceField

from tongxin.core.roles import Role
from tongxin.people.forms import PersonFilterForm, PersonForm, PositionForm
from tongxin.testing import make_person, make_user

pytestmark = pytest.mark.django_db


def choices(form: Any, name: str) -> Any:
    return cast(ModelChoiceField, form.fields[name]).queryset


@pytest.fixture
def official(tree):
    return make_user(Role.STREET_OFFICIAL, tree.street_a)


def test_numbers_are_normalised(tree, official):
    form = PersonForm(
        {
            "name": "甲",
            "region": tree.building.pk,
            "phone": " 138 1234 5678 ",
            "id_card": "11010519491231002x",
        },
        user=official,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "13812345678"
    assert form.cleaned_data["id_card"] == "11010519491231002X"
    assert "phone" not in form.person_data() and form.person_data()["region"] == tree.building


def test_edit_form_says_what_is_on_record_masked(tree, official):
    person = make_person(tree.building, phone="13812345678")
    form = PersonForm(initial=PersonForm.initial_for(person), user=official, person=person)
    assert "138****5678" in str(form.fields["phone"].help_text)
    assert "No number on record" in str(form.fields["id_card"].help_text)
    assert form["phone"].value() in (None, "")


def test_choices_are_scoped(tree, official):
    form = PersonForm(user=official)
    regions = set(choices(form, "region").values_list("name", flat=True))
    assert "1幢" in regions and "平江路社区" not in regions
    branches = set(choices(form, "branch").values_list("name", flat=True))
    assert branches == {"滚绣坊社区第1网格党支部"}
    leader = make_user(Role.GRID_LEADER, tree.community_a1)  # people.view only
    assert not choices(PersonForm(user=leader), "region").exists()
    assert choices(PersonFilterForm(user=leader), "node").filter(pk=tree.building.pk).exists()
    assert not choices(PositionForm(user=leader), "organisation").exists()
