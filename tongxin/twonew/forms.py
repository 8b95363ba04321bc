"""Forms of the 两新 pages: an organisation's Party facts, a post and its members, a rectification
item. Pickers keep to what the user may act on (twonew.manage)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.forms import DateInput, ScopedForm
from tongxin.members.forms import PersonChoiceField
from tongxin.organisations.forms import OrganisationChoiceField
from tongxin.partners.models import PartnerUnit
from tongxin.twonew.models import PostKind, Standing
from tongxin.twonew.selectors import units_without_facts


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=PartnerUnit.objects.none(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.region.name}"

    def limit_to(self, user: Any, *, capability: str) -> None:
        self.queryset = units_without_facts(user).select_related("region")


class FactsForm(ScopedForm):
    """The Party facts of a 两新 organisation; the unit is chosen once, when they are first recorded."""

    required_css_class = "required"
    scoped = {"unit": {}, "party_organisation": {}, "instructor": {"members_only": False}}
    fixed = ("unit",)

    unit = UnitChoiceField(
        label=_("Company or social organisation"),
        help_text=_("Partner units of kind 两新 in your area whose facts are not recorded yet."),
    )
    has_party_organisation = forms.BooleanField(label=_("Has a Party organisation"), required=False)
    party_organisation = OrganisationChoiceField(
        label=_("Its Party organisation"),
        required=False,
        help_text=_("If it is kept in Tongxin's organisation tree."),
    )
    party_since = forms.DateField(label=_("Party organisation since"), required=False, widget=DateInput())
    charter = forms.BooleanField(label=_("Party building in the charter (党建入章)"), required=False)
    cross_appointment = forms.BooleanField(
        label=_("The secretary also in management (交叉任职)"), required=False
    )
    instructor = PersonChoiceField(label=_("Party-building instructor (党建指导员)"), required=False)
    standing = forms.ChoiceField(label=_("Status"), choices=Standing.choices, initial=Standing.ORDINARY)

    def facts(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "unit"}


class PostForm(forms.Form):
    required_css_class = "required"

    kind = forms.ChoiceField(label=_("Kind"), choices=PostKind.choices)
    name = forms.CharField(label=pgettext_lazy("post", "Name"), max_length=120)


class MemberForm(ScopedForm):
    """A Party member taking a place at a post."""

    scoped = {"person": {"members_only": True}}

    person = PersonChoiceField(label=_("Party member"))


class RectificationForm(ScopedForm):
    """An item of the rectification list; marked done with its date when editing."""

    required_css_class = "required"
    scoped = {"owner": {"members_only": False}}

    text = forms.CharField(label=_("What is to be put right"), max_length=200)
    owner = PersonChoiceField(label=_("Owner"), required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, editing=editing, **kwargs)
        if not editing:
            del self.fields["done_on"]
