"""Forms of the household pages: filters, the household, its residents and tags, care-tag
configuration and 联户 links. Pickers keep to the user's scope (core.forms.ScopedForm)."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.forms import DateInput, ScopedForm
from tongxin.core.roles import Capability
from tongxin.households.models import CareTag, Household, LinkKind, Relation
from tongxin.households.selectors import households_visible
from tongxin.people.forms import PersonSelect
from tongxin.people.models import Person
from tongxin.people.selectors import people_visible
from tongxin.regions.forms import RegionChoiceField
from tongxin.regions.models import Level, Region

VIEW = Capability.HOUSEHOLDS_VIEW
EDIT = Capability.HOUSEHOLDS_EDIT


class PersonField(forms.ModelChoiceField):
    """Anyone the user may see (people.view), searched by name over htmx when there are many."""

    widget = PersonSelect

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Person.objects.none(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.region.name}"

    def limit_to(self, user: Any, *, capability: str, within: Region | None = None) -> None:
        people: QuerySet[Person] = people_visible(user, capability=Capability.PEOPLE_VIEW).select_related(
            "region"
        )
        if within is not None:
            people = people.filter(region__path__startswith=within.path)
        self.queryset = people.order_by("name", "pk")
        params = {"cap": Capability.PEOPLE_VIEW, "members": "0"}
        self.widget.search_url = f"{reverse('members:person_choices')}?{urlencode(params)}"


class HouseholdFilterForm(ScopedForm):
    q = forms.CharField(label=_("Address"), required=False, max_length=50)
    node = RegionChoiceField(label=_("Area"), required=False)
    tag = forms.ModelChoiceField(label=_("Care tag"), queryset=CareTag.objects.none(), required=False)
    inactive = forms.BooleanField(label=_("Include households no longer in use"), required=False)
    scoped = {"node": {"capability": VIEW}}

    def __init__(self, *args: Any, user: Any, tags: list[CareTag] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if tags is None:
            del self.fields["tag"]  # no care_tags.view: the filter would tell who carries a tag
        else:
            field = self.fields["tag"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = CareTag.objects.filter(pk__in=[t.pk for t in tags])
            field.empty_label = _("Any")

    def values(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class HouseholdForm(ScopedForm):
    required_css_class = "required"
    scoped = {"building": {"capability": EDIT, "levels": [Level.BUILDING, Level.GRID]}}

    building = RegionChoiceField(
        label=_("Building or village group"),
        help_text=_("A building; in a village, its village group (村民小组), a grid without buildings."),
    )
    street = forms.CharField(
        label=_("Street, lane or compound (街巷院落); in a village, the group (组)"),
        max_length=100,
        required=False,
        help_text=_("Such as 文昌路 or 文昌花园; in a village, such as 一组."),
    )
    house_number = forms.CharField(label=_("House number (门楼牌号)"), max_length=30, required=False)
    unit = forms.CharField(label=_("Unit (单元)"), max_length=10, required=False)
    room = forms.CharField(
        label=_("Room (室)"), max_length=20, required=False, help_text=_("Not for a village group.")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class HouseholdEditForm(HouseholdForm):
    active = forms.BooleanField(
        label=_("In use"), required=False, help_text=_("Untick when nobody lives here any more.")
    )


class ResidenceForm(ScopedForm):
    required_css_class = "required"
    scoped = {"person": {"capability": Capability.PEOPLE_VIEW}}

    person = PersonField(label=_("Person"))
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    moved_in_on = forms.DateField(label=_("Moved in on"), required=False, widget=DateInput())


class MoveOutForm(forms.Form):
    moved_out_on = forms.DateField(label=_("Moved out on"), widget=DateInput())


class TagsForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label=_("Care tags"),
        queryset=CareTag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, tags: list[CareTag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tags"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = CareTag.objects.filter(pk__in=[t.pk for t in tags]).order_by("sort_order", "code")


class CareTagForm(forms.Form):
    """A tag in force at a street or community: saving it keeps the change at that node."""

    required_css_class = "required"
    name = forms.CharField(label=pgettext_lazy("care tag", "Name"), max_length=30)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    visit_interval_days = forms.IntegerField(
        label=_("Visit at least every (days)"), required=False, min_value=1, max_value=366
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, initial=100)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class NewCareTagForm(CareTagForm):
    code = forms.SlugField(
        label=_("Code"), max_length=32, help_text=_("Lower-case letters, digits and _, such as living_alone.")
    )
    field_order = ["code", "name"]


class HouseholdsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.short_address)


GRID_OR_ABOVE = [Level.STREET, Level.COMMUNITY, Level.GRID]


class LinkForm(ScopedForm):
    """A 联户 link kept at `region`: households (十联户, 党员联户) or grids (干部联网格, 1+1) below it."""

    required_css_class = "required"
    scoped = {
        "person": {"capability": Capability.PEOPLE_VIEW},
        "partner": {"capability": Capability.PEOPLE_VIEW},
    }

    kind = forms.ChoiceField(label=_("Kind"), choices=LinkKind.choices)
    person = PersonField(
        label=_("Person"),
        help_text=_("The 联户长, the Party member, the leader, or (1+1) the full-time grid worker."),
    )
    partner = PersonField(
        label=_("Paired with"), required=False, help_text=_("1+1 only: the member without a post.")
    )
    households = HouseholdsField(
        label=pgettext_lazy("household register", "Households"),
        queryset=Household.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    grids = forms.ModelMultipleChoiceField(
        label=_("Grids"), queryset=Region.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        households = self.fields["households"]
        grids = self.fields["grids"]
        assert isinstance(households, forms.ModelMultipleChoiceField)
        assert isinstance(grids, forms.ModelMultipleChoiceField)
        if region.level == Level.STREET:
            del self.fields["households"]  # a street's links are 干部联网格
        else:
            households.queryset = (
                households_visible(user, capability=EDIT)
                .filter(region_path__gte=region.path, region_path__lt=region.path + "~", active=True)
                .order_by("region_path", "unit", "room", "pk")
            )
        grids.queryset = Region.objects.filter(level=Level.GRID, path__startswith=region.path).order_by(
            "path"
        )


class LinkEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())


class LinkFilterForm(ScopedForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *LinkKind.choices], required=False
    )
    node = RegionChoiceField(label=_("Area"), required=False)
    current = forms.BooleanField(label=_("Current only"), required=False)
    scoped = {"node": {"capability": VIEW, "levels": GRID_OR_ABOVE}}

    def values(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}
