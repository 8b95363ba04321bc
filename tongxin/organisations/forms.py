"""Forms for the Party-organisation pages."""

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import DateInput, ScopedForm
from tongxin.organisations.models import ALLOWED_PARENT_KINDS, OrgKind, PartyOrganisation
from tongxin.organisations.selectors import organisation_choices
from tongxin.regions.forms import RegionChoiceField, ScopedSelect

# a Party group (党小组) is never a parent
PARENT_KINDS = [kind for kind in OrgKind.values if kind != OrgKind.GROUP]


class OrganisationChoiceField(forms.ModelChoiceField):
    widget = ScopedSelect

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=PartyOrganisation.objects.none(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.get_kind_display()}"

    def limit_to(
        self,
        user: Any,
        *,
        capability: str,
        kinds: list[str] | None = None,
        not_within: PartyOrganisation | None = None,
    ) -> None:
        self.queryset = organisation_choices(user, capability=capability, kinds=kinds, not_within=not_within)
        params: dict[str, Any] = {"cap": capability}
        if kinds:
            params["kinds"] = ",".join(kinds)
        if not_within is not None:
            params["not_within"] = not_within.pk
        self.widget.search_url = f"{reverse('organisations:choices')}?{urlencode(params)}"


class OrganisationForm(ScopedForm):
    """Create a Party organisation; the tree rules are checked by organisation_validate. The
    pickers keep to the capability the view passes."""

    required_css_class = "required"
    scoped = {"parent": {"kinds": PARENT_KINDS}, "region": {}}
    fixed = ("parent",)

    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Type"), choices=OrgKind.choices)
    code = forms.CharField(
        label=_("Organisation code"),
        max_length=32,
        help_text=_("The code used by the organisation department."),
    )
    parent = OrganisationChoiceField(label=_("Parent organisation"), required=False)
    region = RegionChoiceField(label=_("Region it serves"))
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput())
    term_ends_on = forms.DateField(
        label=_("Term ends on"),
        required=False,
        widget=DateInput(),
        help_text=_("Community and village committees serve five-year terms."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        founded, ends = data.get("founded_on"), data.get("term_ends_on")
        if founded and ends and ends < founded:
            self.add_error("term_ends_on", _("The term cannot end before the organisation was founded."))
        return data


class OrganisationEditForm(OrganisationForm):
    """The parent changes on the move page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, editing=True, **kwargs)


class OrganisationMoveForm(forms.Form):
    required_css_class = "required"

    new_parent = OrganisationChoiceField(label=_("New parent organisation"))

    def __init__(
        self, *args: Any, user: Any, capability: str, organisation: PartyOrganisation, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        kinds = sorted(ALLOWED_PARENT_KINDS[OrgKind(organisation.kind)])
        cast(OrganisationChoiceField, self.fields["new_parent"]).limit_to(
            user, capability=capability, kinds=kinds, not_within=organisation
        )


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *OrgKind.choices], required=False
    )
