"""Forms for 三会一课, development steps, mobile members and training classes."""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import DateInput, ScopedForm
from tongxin.core.periods import PeriodForm
from tongxin.core.roles import Capability
from tongxin.members.forms import PeopleMultipleField, PersonChoiceField
from tongxin.organisations.forms import OrganisationChoiceField
from tongxin.organisations.models import BRANCH_KINDS, OrgKind
from tongxin.partylife.models import Frequency, PartyMeetingKind, ServiceWindow, StepKind, TrainingPurpose
from tongxin.people.models import Person
from tongxin.regions.forms import RegionChoiceField
from tongxin.regions.models import Level

MANAGE = Capability.PARTYLIFE_MANAGE
BRANCHES = sorted(str(k) for k in BRANCH_KINDS)
MANAGED = {"capability": MANAGE}


class MeetingForm(ScopedForm):
    required_css_class = "required"
    wide_fields = ("topic", "attendees")
    scoped = {"organisation": {"capability": MANAGE, "kinds": [*BRANCHES, OrgKind.GROUP]}}
    fixed = ("organisation",)
    organisation = OrganisationChoiceField(label=_("Branch or Party group"))
    kind = forms.ChoiceField(label=_("Meeting"), choices=PartyMeetingKind.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    lecturer = forms.CharField(label=_("Lecturer (党课)"), max_length=50, required=False)
    attendees = PeopleMultipleField(
        label=_("Attendees"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of the branch."),
    )
    attendee_count = forms.IntegerField(
        label=_("Number present"), required=False, min_value=0, help_text=_("Empty: the attendees ticked.")
    )
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(
        self, *args: Any, user: Any, members: Any = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, user=user, editing=editing, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        if members is not None:
            self.fields["attendees"].queryset = members  # type: ignore[attr-defined]
        else:
            del self.fields["attendees"]


class MeetingRulesForm(ScopedForm):
    required_css_class = "required"
    scoped = {
        "region": {"capability": MANAGE, "levels": [Level.CITY, Level.COUNTY, Level.STREET, Level.COMMUNITY]}
    }
    version = forms.CharField(label=_("Version"), max_length=32)
    source = forms.CharField(label=_("Source"), max_length=300)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    region = RegionChoiceField(label=_("Applies in"))
    branch_committee = forms.ChoiceField(
        label=_("Branch committee"), choices=Frequency.choices, initial=Frequency.MONTHLY
    )
    group = forms.ChoiceField(
        label=_("Party group meeting"), choices=Frequency.choices, initial=Frequency.MONTHLY
    )
    general_assembly = forms.ChoiceField(
        label=_("General meeting of members"), choices=Frequency.choices, initial=Frequency.QUARTERLY
    )
    lecture = forms.ChoiceField(
        label=_("Party lecture"), choices=Frequency.choices, initial=Frequency.QUARTERLY
    )


class ComplianceForm(ScopedForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    view = forms.ChoiceField(
        label=_("By"), choices=[("quarter", _("Quarter")), ("month", _("Month"))], required=False
    )
    node = RegionChoiceField(label=_("Area"), required=False)
    scoped = {
        "node": {
            "capability": Capability.PARTYLIFE_VIEW,
            "levels": [Level.COUNTY, Level.STREET, Level.COMMUNITY, Level.GRID],
        }
    }


# ---- development ------------------------------------------------------------------------------


class FileOpenForm(ScopedForm):
    required_css_class = "required"
    scoped = {"branch": {"capability": MANAGE, "kinds": BRANCHES}}
    person = PersonChoiceField(
        label=_("Applicant"), help_text=_("A person living in your area, not yet a member.")
    )
    branch = OrganisationChoiceField(label=_("Branch"))
    application_on = forms.DateField(label=_("Application handed in on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        field = cast(PersonChoiceField, self.fields["person"])
        field.limit_to(user, capability=MANAGE, members_only=False)
        field.queryset = cast(Any, field.queryset).filter(party_status="")


STEP_CHOICES = [(k, label) for k, label in StepKind.choices if k != StepKind.APPLICATION]


class StepForm(forms.Form):
    """One step with what it needs: mentors, notice end, votes, months of extension, hours…"""

    kind = forms.ChoiceField(label=_("Step"), choices=STEP_CHOICES)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    mentors = forms.CharField(
        label=_("Mentors (培养联系人)"), required=False, help_text=_("One or two names, separated by commas.")
    )
    until = forms.DateField(label=_("Public notice ends on"), required=False, widget=DateInput())
    votes_for = forms.IntegerField(label=_("Votes in favour"), required=False, min_value=0)
    entitled = forms.IntegerField(label=_("Full members entitled to vote"), required=False, min_value=0)
    special = forms.CharField(
        label=_("Special circumstances (approval after 3 months)"), required=False, max_length=200
    )
    months = forms.IntegerField(label=_("Extended by (months)"), required=False, min_value=1, max_value=24)
    days = forms.IntegerField(label=_("Training days"), required=False, min_value=0)
    hours = forms.DecimalField(
        label=_("Class hours"), required=False, min_value=Decimal(0), max_digits=5, decimal_places=1
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def detail(self) -> dict[str, Any]:
        d = self.cleaned_data
        mentors = [
            m.strip()
            for m in (d.get("mentors") or "").replace("，", ",").replace("、", ",").split(",")
            if m.strip()
        ]
        return {
            "mentors": mentors,
            "until": d.get("until"),
            "votes_for": d.get("votes_for"),
            "entitled": d.get("entitled"),
            "special": d.get("special"),
            "months": d.get("months"),
            "days": d.get("days"),
            "hours": d.get("hours"),
        }


class FileFilterForm(PeriodForm):
    SHOW = [
        ("", _("Open files")),
        ("broken", _("Breaking a rule")),
        ("due", _("Limit within 14 days")),
        ("closed", _("Closed")),
    ]
    show = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", _("Any")), *StepKind.choices], required=False)
    q = forms.CharField(label=_("Name"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "period_help", _("The period is the day a file starts: its first step, usually the application.")
        )
        super().__init__(*args, **kwargs)


class PartyMeetingFilterForm(PeriodForm):
    organisation = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("period_help", _("The period is the day a meeting was held."))
        super().__init__(*args, kinds=PartyMeetingKind.choices, kind_label=_("Meeting"), **kwargs)


class MobileFilterForm(PeriodForm):
    returned = forms.BooleanField(label=_("Include those who have returned"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "period_help", _("With a period: everyone away at some time in it, whether back since or not.")
        )
        super().__init__(*args, **kwargs)


class TrainingFilterForm(PeriodForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("period_help", _("The period takes the classes held on at least one of its days."))
        super().__init__(*args, kinds=TrainingPurpose.choices, kind_label=_("For"), **kwargs)


# ---- mobile members ---------------------------------------------------------------------------


class WindowField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.region.name}"


class MobileMemberForm(ScopedForm):
    required_css_class = "required"
    scoped = {"person": MANAGED}
    fixed = ("person",)
    person = PersonChoiceField(label=_("Member"))
    current_place = forms.CharField(label=_("Where they are now"), max_length=200)
    work = forms.CharField(label=_("Work"), max_length=120, required=False)
    contact = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    window = WindowField(label=_("Service window"), queryset=ServiceWindow.objects.none(), required=False)
    certificate = forms.CharField(label=_("流动党员活动证 number"), max_length=40, required=False)
    left_on = forms.DateField(label=_("Left on"), widget=DateInput())

    def __init__(self, *args: Any, user: Any, windows: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, user=user, editing=editing, **kwargs)
        self.fields["window"].queryset = windows  # type: ignore[attr-defined]
        if editing:
            self.fields["contact"].help_text = _("Empty: keep the number on record.")


class WindowForm(ScopedForm):
    required_css_class = "required"
    scoped = {"region": MANAGED}
    name = forms.CharField(label=_("Name"), max_length=100)
    region = RegionChoiceField(label=_("Where"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


# ---- training ---------------------------------------------------------------------------------


class TrainingClassForm(ScopedForm):
    required_css_class = "required"
    scoped = {"organisation": MANAGED}
    name = forms.CharField(label=_("Name"), max_length=120)
    purpose = forms.ChoiceField(label=_("For"), choices=TrainingPurpose.choices)
    organisation = OrganisationChoiceField(label=_("Held by"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())


class SessionForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    hours = forms.DecimalField(
        label=_("Class hours"), min_value=Decimal("0.5"), max_value=Decimal(12), decimal_places=1
    )


class ParticipantForm(ScopedForm):
    person = PersonChoiceField(label=_("Participant"))
    scoped = {"person": {"capability": MANAGE, "members_only": False}}


class SessionAttendanceForm(forms.Form):
    people = PeopleMultipleField(
        label=_("Attended"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, participants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = participants  # type: ignore[attr-defined]
