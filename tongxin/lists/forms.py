"""Forms for the three lists. Choices of regions, units and people are scoped to the user."""

import re
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import DateInput, ScopedForm
from tongxin.core.periods import PeriodForm
from tongxin.core.roles import Capability
from tongxin.lists.models import (
    Milestone,
    NeedCategory,
    NeedSource,
    NeedStatus,
    ProjectKind,
    ProjectStatus,
    ResourceKind,
)
from tongxin.lists.selectors import projects_visible
from tongxin.partners.forms import AREA_LEVELS, UnitChoiceField
from tongxin.partners.selectors import reach_for, unit_choices
from tongxin.regions.forms import RegionChoiceField
from tongxin.regions.models import Level

MANAGE = Capability.PARTNERS_MANAGE
NEED_LEVELS = [Level.STREET, Level.COMMUNITY, Level.GRID]
# what a community publishes by hand; needs from cases come through need_from_case
PUBLISHED_SOURCES = [(v, label) for v, label in NeedSource.choices if v != NeedSource.CASE]


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m")


class NeedForm(ScopedForm):
    required_css_class = "required"
    wide_fields = ("description",)
    scoped = {"region": {"capability": MANAGE, "levels": NEED_LEVELS}}
    fixed = ("source",)

    title = forms.CharField(label=_("Title"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=NeedCategory.choices)
    region = RegionChoiceField(label=_("Community or grid"))
    source = forms.ChoiceField(label=_("Collected through"), choices=PUBLISHED_SOURCES)
    round_month = forms.DateField(
        label=_("Collection round (month)"),
        required=False,
        widget=MonthInput(),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        help_text=_("For the monthly round (每月收集): the month it was collected in."),
    )
    wanted_kind = forms.ChoiceField(
        label=_("Kind of help wanted"), choices=[("", _("Any")), *ResourceKind.choices], required=False
    )
    beneficiaries_estimate = forms.IntegerField(label=_("People it would help"), min_value=0, initial=0)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))


class NeedFilterForm(PeriodForm):
    """The needs list's filters; the period is the day a need was published."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *NeedSource.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *NeedCategory.choices]
    )
    node = forms.IntegerField(required=False, widget=forms.HiddenInput)
    area: Any = None  # the region `node` names, once looked up in the user's reach

    def __init__(self, *args: Any, **kwargs: Any) -> None:

        kwargs.setdefault("period_help", _("The period is the day a need was published."))
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("All statuses")),
            *NeedStatus.choices,
        ]


class ResourceFilterForm(PeriodForm):
    """The resources list's filters; the period is the day a resource was put on the list."""

    available = forms.BooleanField(label=_("Available only"), required=False)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    chosen_unit: Any = None  # the partner unit `unit` names, once looked up in the user's reach

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("period_help", _("The period is the day a resource was put on the list."))
        super().__init__(*args, kinds=ResourceKind.choices, **kwargs)


class ProjectFilterForm(PeriodForm):
    """The projects list's filters; the period is the day a project was claimed."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *ProjectStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("period_help", _("The period is the day a project was claimed."))
        super().__init__(*args, kinds=ProjectKind.choices, **kwargs)


def claim_units(user: Any) -> QuerySet[Any]:
    """Units the user may claim for: a liaison's own; for an official recording a claim, any visible."""
    reach = reach_for(user)
    if not reach.manage.is_empty:
        return unit_choices(user)
    return unit_choices(user).filter(pk__in=list(reach.unit_ids))


class ClaimForm(forms.Form):
    # no unit is preselected: a user who speaks for several units chooses one explicitly
    unit = UnitChoiceField(label=_("Claimed by"), queryset=None, empty_label=_("Choose the unit that claims"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, user: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else claim_units(user)
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ResourceForm(ScopedForm):
    required_css_class = "required"
    wide_fields = ("description",)
    fixed = ("unit",)

    unit = UnitChoiceField(label=_("Partner unit"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    category = forms.ChoiceField(
        label=_("For needs of"), required=False, choices=[("", _("Any category")), *NeedCategory.choices]
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, min_value=Decimal(0), max_digits=12, decimal_places=2
    )
    quantity_unit = forms.CharField(
        label=_("Unit of quantity"), required=False, max_length=12, help_text=_("e.g. 元, 人次, 平方米")
    )
    available = forms.BooleanField(label=_("Available"), required=False, initial=True)
    available_from = forms.DateField(label=_("Available from"), required=False, widget=DateInput())
    available_until = forms.DateField(label=_("Available until"), required=False, widget=DateInput())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, user=user, editing=editing, **kwargs)
        if not editing:
            reach = reach_for(user)
            units = unit_choices(user)
            if reach.manage.is_empty:
                units = units.filter(pk__in=list(reach.unit_ids))
            else:
                units = units.filter(reach.manage.q("region__path") | Q(pk__in=list(reach.unit_ids)))
            cast(UnitChoiceField, self.fields["unit"]).queryset = units


MILESTONE_LINE = re.compile(r"^(?P<title>.*?)(?:\s*[×xX\*]\s*(?P<weight>\d{1,3}))?\s*$")


def parse_milestones(text: str) -> list[tuple[str, int, date | None]]:
    """One milestone a line; "安装路灯 ×3" gives it weight 3 (default 1)."""
    rows: list[tuple[str, int, date | None]] = []
    for line in (text or "").splitlines():
        match = MILESTONE_LINE.match(line.strip())
        if match and match.group("title").strip():
            rows.append((match.group("title").strip()[:120], int(match.group("weight") or 1), None))
    return rows


class SecretaryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ProjectForm(forms.Form):
    required_css_class = "required"
    wide_fields = ("milestones",)

    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    lead_name = forms.CharField(label=_("Lead person"), max_length=50)
    secretary = SecretaryChoiceField(
        label=_("Secretary who claimed it (书记项目)"), queryset=None, required=False
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"), min_value=Decimal(0), max_digits=12, decimal_places=2, initial=0
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput(), initial=timezone.localdate)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput(), required=False)
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line. Add ×2 (or ×3 …) after a milestone that weighs more than the others."),
    )

    def __init__(
        self, *args: Any, user: Any, secretaries: Any, standalone: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(SecretaryChoiceField, self.fields["secretary"]).queryset = secretaries
        if standalone:
            self.fields["region"] = RegionChoiceField(label=_("Where it is delivered"))
            cast(RegionChoiceField, self.fields["region"]).limit_to(
                user, capability=MANAGE, levels=NEED_LEVELS
            )
            self.fields["owner_unit"] = UnitChoiceField(
                label=_("Owner unit"), queryset=unit_choices(user), required=False
            )

            self.fields["parent"] = forms.ModelChoiceField(
                label=_("Part of"),
                queryset=projects_visible(user).filter(status=ProjectStatus.ACTIVE, need__isnull=True),
                required=False,
            )
            self.fields["weight"] = forms.IntegerField(
                label=_("Weight within the parent"), min_value=1, initial=1
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ProjectKind.SECRETARY and not data.get("secretary"):
            self.add_error("secretary", _("A 书记项目 names the secretary who claimed it."))
        starts, due = data.get("starts_on"), data.get("due_on")
        if starts and due and due < starts:
            self.add_error("due_on", _("The project cannot be due before it starts."))
        data["milestone_rows"] = parse_milestones(data.get("milestones", ""))
        return data


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=120)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())


class MilestoneReportForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class EvidenceForm(forms.Form):
    note = forms.CharField(label=_("What it shows"), widget=forms.Textarea(attrs={"rows": 2}))
    milestone = forms.ModelChoiceField(
        label=_("Milestone"), queryset=Milestone.objects.none(), required=False
    )
    file = forms.FileField(
        label=_("Photo or document (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args: Any, project: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["milestone"]).queryset = project.milestones.all()


class CloseForm(forms.Form):
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}))
    beneficiaries_count = forms.IntegerField(label=_("People who benefited"), min_value=0)
    beneficiaries_note = forms.CharField(label=_("Who benefited"), required=False, max_length=200)


class LedgerForm(ScopedForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    area = RegionChoiceField(label=_("Street or community"), required=False)
    scoped = {"area": {"capability": Capability.PARTNERS_VIEW, "levels": AREA_LEVELS}}
