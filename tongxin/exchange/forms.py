from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.cases.models import CaseCategory
from tongxin.exchange import selectors
from tongxin.exchange.models import RobotEvent, RobotVendor, SendStatus


class _RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.get_level_display()}"


class _CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def _categories() -> Any:
    return CaseCategory.objects.filter(active=True, parent__isnull=False).select_related("parent")


class PeerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens; the platform sends it in the X-Tongxin-Peer header."),
    )
    region = _RegionChoice(label=_("Area served"), queryset=None)
    callback_url = forms.URLField(
        label=_("Callback address"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("Where Tongxin sends each change of a ticket's case, signed with the same secret."),
    )
    default_category = _CategoryChoice(
        label=_("Category when the ticket's is not known"), queryset=None, required=False
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.peer_regions(user)  # type: ignore[attr-defined]
        self.fields["default_category"].queryset = _categories()  # type: ignore[attr-defined]
        if editing:
            del self.fields["code"]
        else:
            del self.fields["active"]


class RobotForm(forms.Form):
    region = _RegionChoice(label=_("Community or street"), queryset=None)
    name = forms.CharField(label=_("Group name"), max_length=60)
    vendor = forms.ChoiceField(label=_("Kind"), choices=RobotVendor.choices)
    webhook = forms.CharField(
        label=_("Webhook address"),
        max_length=400,
        help_text=_("Copied from the group's robot settings; kept encrypted and never shown again."),
    )
    secret = forms.CharField(
        label=_("Signing secret (DingTalk 加签)"),
        max_length=200,
        required=False,
        help_text=_("DingTalk only: the secret starting with SEC."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events told to the group"), choices=RobotEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.robot_regions(user)  # type: ignore[attr-defined]


class RobotEditForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=60)
    events = forms.MultipleChoiceField(
        label=_("Events told to the group"), choices=RobotEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label=_("Sending"), required=False)


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *list(SendStatus.choices)], required=False
    )
