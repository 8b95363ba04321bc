"""Forms for 双报到, service posts, unit reports and rule versions; a person picker shared with
tongxin.activities and tongxin.partylife."""

from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import DateInput, ScopedForm
from tongxin.core.roles import Capability
from tongxin.members.models import ServicePost, ServicePostKind
from tongxin.members.rules import DEFAULT_STARS
from tongxin.members.selectors import posts_visible
from tongxin.people.forms import PersonSelect
from tongxin.people.models import Person
from tongxin.people.selectors import people_visible
from tongxin.regions.forms import RegionChoiceField
from tongxin.regions.models import Level

PERSON_CHOICES_LIMIT = 200


def person_label(person: Person) -> str:
    return f"{person.name} · {person.region.name}"


class PersonChoiceField(forms.ModelChoiceField):
    widget = PersonSelect

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Person.objects.none(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)

    def limit_to(self, user: Any, *, capability: str, members_only: bool = True) -> None:
        self.queryset = person_choices(user, capability=capability, members_only=members_only)
        params = {"cap": capability, "members": "1" if members_only else "0"}
        cast(
            PersonSelect, self.widget
        ).search_url = f"{reverse('members:person_choices')}?{urlencode(params)}"


class PeopleMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


def person_choices(user: Any, *, capability: str, members_only: bool = True) -> QuerySet[Person]:
    people = people_visible(user, capability=capability).select_related("region")
    if members_only:
        people = people.exclude(party_status="")
    return people.order_by("name", "pk")


# ---- reports ----------------------------------------------------------------------------------


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        left = ""
        if obj.places is not None:
            left = " · " + str(
                _("%(n)s of %(places)s places taken") % {"n": getattr(obj, "taken", 0), "places": obj.places}
            )
        return f"{obj.name} · {obj.get_kind_display()}{left}"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class CommunityPostChoiceField(PostChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.community.name} · {obj.name} · {obj.get_kind_display()}"


class OnlineReportForm(forms.Form):
    """The member reports online: a post of their home community and, if listed, their employer."""

    service_post = PostChoiceField(
        label=_("Service post"),
        queryset=ServicePost.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    employer_unit = UnitChoiceField(
        label=_("Your employer"),
        queryset=ServicePost.objects.none(),
        required=False,
        help_text=_("Your service record card goes to its Party organisation each quarter."),
    )

    def __init__(self, *args: Any, posts: QuerySet[Any], units: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_post"].queryset = posts  # type: ignore[attr-defined]
        self.fields["employer_unit"].queryset = units  # type: ignore[attr-defined]


class ReportForm(ScopedForm):
    """The community enters a member's report."""

    required_css_class = "required"
    scoped = {"person": {"capability": Capability.MEMBERS_MANAGE}}
    person = PersonChoiceField(label=_("Member"), help_text=_("Party members living in your area."))
    service_post = CommunityPostChoiceField(label=_("Service post"), queryset=ServicePost.objects.none())
    employer_unit = UnitChoiceField(label=_("Employer"), queryset=ServicePost.objects.none(), required=False)
    reported_on = forms.DateField(label=_("Reported on"), widget=DateInput())

    def __init__(self, *args: Any, user: Any, units: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["service_post"].queryset = (  # type: ignore[attr-defined]
            posts_visible(user, capability=Capability.MEMBERS_MANAGE)
            .filter(active=True)
            .order_by("community__path", "name")
        )
        self.fields["employer_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["reported_on"].initial = timezone.localdate()


class ReportEditForm(forms.Form):
    service_post = PostChoiceField(label=_("Service post"), queryset=ServicePost.objects.none())
    employer_unit = UnitChoiceField(label=_("Employer"), queryset=ServicePost.objects.none(), required=False)

    def __init__(self, *args: Any, posts: QuerySet[Any], units: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_post"].queryset = posts  # type: ignore[attr-defined]
        self.fields["employer_unit"].queryset = units  # type: ignore[attr-defined]


class ReportEndForm(forms.Form):
    on = forms.DateField(label=_("Ended on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ReportFilterForm(ScopedForm):
    STATES = [
        ("", _("Active")),
        ("due", _("Re-report due")),
        ("overdue", _("Re-report overdue")),
        ("ended", _("Ended")),
        ("all", _("All")),
    ]
    q = forms.CharField(label=_("Name"), required=False)
    state = forms.ChoiceField(label=_("Show"), choices=STATES, required=False)
    node = RegionChoiceField(label=_("Area"), required=False)
    scoped = {"node": {"capability": Capability.MEMBERS_VIEW, "levels": [Level.STREET, Level.COMMUNITY]}}


# ---- posts and units --------------------------------------------------------------------------


COMMUNITIES = {"capability": Capability.MEMBERS_MANAGE, "levels": [Level.COMMUNITY]}


class ServicePostForm(ScopedForm):
    required_css_class = "required"
    scoped = {"community": COMMUNITIES}
    fixed = ("community",)
    community = RegionChoiceField(label=_("Community"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ServicePostKind.choices)
    name = forms.CharField(label=_("Name"), max_length=80)
    places = forms.IntegerField(
        label=_("Places"), required=False, min_value=1, help_text=_("Empty: no limit.")
    )
    description = forms.CharField(
        label=_("What the post does"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("Open for reporting"), required=False, initial=True)


class UnitReportForm(ScopedForm):
    required_css_class = "required"
    scoped = {"community": COMMUNITIES}
    unit = UnitChoiceField(label=_("Partner unit"), queryset=ServicePost.objects.none())
    community = RegionChoiceField(label=_("Community reported to"))
    reported_on = forms.DateField(label=_("Reported on"), widget=DateInput())
    commitments = forms.CharField(
        label=_("What the unit commits to"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, units: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["reported_on"].initial = timezone.localdate()


class RenewForm(forms.Form):
    on = forms.DateField(label=_("Re-reported on"), widget=DateInput(), required=False)


# ---- rules ------------------------------------------------------------------------------------


class RulesForm(ScopedForm):
    """A new version of the rules, for a region inside the capability the view passes."""

    required_css_class = "required"
    scoped = {"region": {"levels": [Level.CITY, Level.COUNTY, Level.STREET, Level.COMMUNITY]}}
    version = forms.CharField(label=_("Version"), max_length=32)
    source = forms.CharField(
        label=_("Source"), max_length=300, help_text=_("The document or decision these rules come from.")
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    region = RegionChoiceField(label=_("Applies in"))
    min_services_per_year = forms.IntegerField(label=_("Minimum services a year"), min_value=0, initial=2)
    rereport_months = forms.IntegerField(
        label=_("Re-report every (months)"), min_value=1, max_value=24, initial=6
    )
    rereport_warn_days = forms.IntegerField(
        label=_("Remind this many days before"), min_value=0, max_value=90, initial=14
    )
    unit_rereport_months = forms.IntegerField(
        label=_("Units report again every (months)"), min_value=1, max_value=24, initial=12
    )
    case_hours = forms.DecimalField(
        label=_("Hours credited for a solved order"), min_value=Decimal(0), initial=2
    )
    project_hours = forms.DecimalField(
        label=_("Hours credited for an accepted milestone"), min_value=Decimal(0), initial=4
    )
    points_activity = forms.DecimalField(label=_("Points for an activity"), min_value=Decimal(0), initial=2)
    points_case = forms.DecimalField(label=_("Points for a solved order"), min_value=Decimal(0), initial=3)
    points_project = forms.DecimalField(label=_("Points for a milestone"), min_value=Decimal(0), initial=5)
    points_per_hour = forms.DecimalField(
        label=_("Points per hour of service"), min_value=Decimal(0), initial=Decimal("0.5")
    )
    star_thresholds = forms.CharField(
        label=_("Points needed for 1 to 10 stars"),
        initial=", ".join(str(s) for s in DEFAULT_STARS),
        help_text=_("Ten increasing numbers, separated by commas."),
    )
    rankings_enabled = forms.BooleanField(
        label=_("Show rankings"),
        required=False,
        help_text=_("Off by default: rankings invite chasing points."),
    )

    def clean_star_thresholds(self) -> list[int]:
        raw = self.cleaned_data["star_thresholds"].replace("，", ",")
        try:
            return [int(x) for x in raw.split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(_("Give ten whole numbers separated by commas.")) from None
