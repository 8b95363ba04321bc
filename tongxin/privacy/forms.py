from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.cases.forms import community_choices
from tongxin.people.models import Person
from tongxin.privacy.models import RequestKind
from tongxin.regions.models import Region

DETAIL_MAX = 2000


class _RequestFields(forms.Form):
    kind = forms.ChoiceField(label=_("What do you ask for?"), choices=RequestKind.choices)
    community = forms.ChoiceField(label=_("Community"))
    requester_name = forms.CharField(label=_("Name"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    detail = forms.CharField(
        label=_("Details"),
        max_length=DETAIL_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, communities: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communities = {str(c.pk): c for c in communities}
        self.fields["community"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose the community…")),
            *community_choices(self.communities.values()),
        ]

    def clean_community(self) -> Region:
        value = self.cleaned_data.get("community")
        community = self.communities.get(value or "")
        if community is None:
            raise forms.ValidationError(_("Choose the community."))
        return community

    def clean_phone(self) -> str:
        phone = (self.cleaned_data.get("phone") or "").strip().replace(" ", "").replace("-", "")
        if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
            raise forms.ValidationError(_("Enter a phone number of digits only."))
        return phone


class PublicRequestForm(_RequestFields):
    """The resident's form at /privacy/request/ (no account): the phone is how they are found."""

    leave_empty = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["phone"].help_text = _(
            "The number you gave on your reports: it is how we find what we hold about you."
        )
        self.fields["community"].label = _("Your community")

    def is_bot(self) -> bool:
        return bool(self.data.get("leave_empty"))


class RequestForm(_RequestFields):
    """An official records a request received at the desk or by phone."""

    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    person = forms.IntegerField(
        label=_("Person in the register (number, optional)"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}), initial=date.today
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people if people is not None else Person.objects.none()
        self.fields["received_on"].initial = timezone.localdate

    def clean_person(self) -> Person | None:
        pk = self.cleaned_data.get("person")
        if pk is None:
            return None
        person = self.people.select_related("region").filter(pk=pk).first()
        if person is None:
            raise forms.ValidationError(_("No person with this number in your area."))
        return person


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=16)
    reason = forms.CharField(
        label=_("Answer"), max_length=DETAIL_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1)
