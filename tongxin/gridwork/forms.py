"""The phone forms of grid work: the third screen of a log entry (details and save), the one-tap
finding, a campaign and the visit interval."""

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.cases.forms import PhotosField
from tongxin.cases.models import CaseCategory
from tongxin.core.forms import DateInput
from tongxin.gridwork.models import Campaign, LogKind, Outcome
from tongxin.gridwork.services import ANSWERS
from tongxin.regions.models import Region

# pickers get their scoped choices in __init__
EMPTY: Any = Region.objects.none()


def _choose(form: forms.BaseForm, name: str, queryset: Any, label: Any = None) -> None:
    """Set a picker's choices (and how an option reads) after the form is made."""
    picker = cast(forms.ModelChoiceField, form.fields[name])
    picker.queryset = queryset
    if label is not None:
        picker.label_from_instance = label  # type: ignore[method-assign]


def _category_label(c: CaseCategory) -> str:
    return f"{c.parent.name} · {c.name}" if c.parent is not None else c.name


def categories() -> Any:
    return (
        CaseCategory.objects.filter(active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("code")
    )


class EntryForm(forms.Form):
    """Screen three: what happened. Everything but the kind's own fields is optional."""

    household = forms.ModelChoiceField(queryset=EMPTY, required=False, label=_("Household"))
    note = forms.CharField(label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *Outcome.choices])
    campaign = forms.ModelChoiceField(queryset=EMPTY, required=False, label=_("Campaign"))
    found_something = forms.BooleanField(label=_("Found a problem: report it as a case"), required=False)
    category = forms.ModelChoiceField(queryset=EMPTY, required=False, label=_("Category of the problem"))
    photos = PhotosField(label=_("Photos (optional)"))
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, kind: LogKind, households: Any, campaigns: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.kind = kind
        _choose(self, "household", households)
        _choose(self, "category", categories(), _category_label)
        if kind.has_outcome:
            self.fields["outcome"].required = True
            cast(forms.ChoiceField, self.fields["outcome"]).choices = Outcome.choices
        else:
            del self.fields["outcome"]
        if kind.code == "inspection":
            _choose(self, "campaign", campaigns)
            if len(campaigns) == 1 and not self.is_bound:
                self.initial.setdefault("campaign", campaigns[0].pk)
            self.checklists: dict[int, list[dict[str, str]]] = {}
            for campaign in campaigns:
                for item in campaign.checklist:
                    name = f"check_{campaign.pk}_{item['key']}"
                    self.fields[name] = forms.ChoiceField(
                        label=item["label"],
                        required=False,
                        choices=[("", _("not checked")), ("ok", _("fine")), ("issue", _("problem"))],
                        widget=forms.RadioSelect,
                    )
                    self.checklists.setdefault(campaign.pk, []).append({"field": name, **item})
        else:
            del self.fields["campaign"]

    def check_fields(self) -> list[tuple[Campaign, list[Any]]]:
        if "campaign" not in self.fields:
            return []
        return [
            (c, [self[i["field"]] for i in self.checklists.get(c.pk, [])])
            for c in cast(forms.ModelChoiceField, self.fields["campaign"]).queryset or []
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("found_something") and not data.get("category"):
            self.add_error("category", _("Choose the category of the problem to report it as a case."))
        campaign = data.get("campaign")
        answers = {}
        if campaign is not None:
            for item in self.checklists.get(campaign.pk, []):
                value = data.get(item["field"])
                if value in ANSWERS:
                    answers[item["key"]] = value
        data["answers"] = answers
        return data


class FindingForm(forms.Form):
    category = forms.ModelChoiceField(queryset=EMPTY, label=_("Category of the problem"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "category", categories(), _category_label)


class CampaignForm(forms.Form):
    region = forms.ModelChoiceField(queryset=EMPTY, label=_("Started by"))
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    checklist = forms.CharField(
        label=_("Checklist"),
        help_text=_("One item a line, e.g. 安全隐患, 矛盾纠纷, 消防."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    grids = forms.ModelMultipleChoiceField(
        queryset=EMPTY, label=_("Grids"), widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())

    def __init__(self, *args: Any, regions: Any, grids: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "region", regions)
        _choose(self, "grids", grids)


class IntervalForm(forms.Form):
    days = forms.IntegerField(
        label=_("Visit a tagged household at least every (days)"), min_value=1, max_value=366
    )


class LogKindForm(forms.Form):
    """A log kind as in force at a street or community: saving it keeps the change at that node."""

    required_css_class = "required"
    name = forms.CharField(label=pgettext_lazy("log kind", "Name"), max_length=30)
    household_usual = forms.BooleanField(
        label=_("Usually about one household (the household screen comes first)"), required=False
    )
    has_outcome = forms.BooleanField(label=_("Asks for the outcome (resolved, partly, not)"), required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, initial=100)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class NewLogKindForm(LogKindForm):
    code = forms.SlugField(
        label=_("Code"), max_length=16, help_text=_("Lower-case letters, digits and _, such as night_patrol.")
    )
    field_order = ["code", "name"]


class ChecklistForm(forms.Form):
    required_css_class = "required"
    name = forms.CharField(label=pgettext_lazy("checklist", "Name"), max_length=40)
    items = forms.CharField(
        label=_("Items to check"),
        help_text=_("One item a line, e.g. 安全隐患, 矛盾纠纷, 消防."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, initial=100)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def clean_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class CorrectionForm(forms.Form):
    """Its author corrects an entry within a day: what happened, the outcome, a finding, the time."""

    at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    note = forms.CharField(label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=Outcome.choices)
    found_something = forms.BooleanField(label=_("Found a problem"), required=False)

    def __init__(self, *args: Any, entry: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not entry.kind.has_outcome:
            del self.fields["outcome"]
        if entry.case_id is not None:  # a finding already made a case stays one
            del self.fields["found_something"]
