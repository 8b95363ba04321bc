from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Role


def region_choices(regions: Any) -> list[tuple[str, Any]]:
    """Regions as an indented list, the tree's shape kept by the path order."""
    choices: list[tuple[str, Any]] = [("", _("— choose a region —"))]
    base = min((r.depth for r in regions), default=0)
    for region in regions:
        indent = "\u3000" * (region.depth - base)
        choices.append((str(region.pk), f"{indent}{region.name} ({region.code})"))
    return choices


class RoleGrantForm(forms.Form):
    """The region is only an id here: the view fetches it through the scoped selector (404 outside)."""

    role = forms.ChoiceField(label=_("Role"), choices=[("", _("— choose a role —")), *Role.choices])
    region = forms.IntegerField(label=_("Where"), widget=forms.Select)

    def __init__(self, *args: Any, regions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = region_choices(regions)


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class AccountCreateForm(forms.Form):
    person = forms.IntegerField(label=_("Person"), widget=forms.Select)
    username = forms.CharField(
        label=_("Account name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only. The person logs in with it."),
    )
    role = forms.ChoiceField(
        label=_("First role (optional)"), required=False, choices=[("", _("— no role yet —")), *Role.choices]
    )
    region = forms.IntegerField(label=_("Where"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, people: Any = (), regions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.choices = [
            ("", _("— choose a person —")),
            *((str(p.pk), f"{p.name} · {p.region.name}") for p in people),
        ]
        self.fields["region"].widget.choices = region_choices(regions)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") and not data.get("region"):
            self.add_error("region", _("Choose where the role applies."))
        return data


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("token", "Name"),
        max_length=80,
        help_text=_("What the token is for, e.g. the system that will use it."),
    )


class LoginForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(max_length=4096, strip=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("one-time code", "Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("The six digits your authenticator app shows now, or one of your recovery codes."),
    )
