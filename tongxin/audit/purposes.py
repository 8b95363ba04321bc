"""Why personal data is revealed (PIPL art. 6; GB/T 35273 §7.2): a reveal names its purpose, which
the audit row records; "other" needs a few words."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

NOTE_MAX = 200


PURPOSES = [
    ("contact", _("Contact the person about their matter")),
    ("case", _("Handle a case or a service request")),
    ("verify", _("Verify their identity")),
    ("visit", _("Visit or care for the household")),
    ("statistics", _("Report to a higher authority")),
    ("other", _("Other (say which)")),
]
PURPOSE_VALUES = [value for value, _label in PURPOSES]


def purpose_problem(purpose: str, note: str) -> str | None:
    """Why a stated purpose is not enough, or None (the API and the form both ask this)."""
    if purpose not in PURPOSE_VALUES:
        return str(_("Choose why you need the full number."))
    if purpose == "other" and not note.strip():
        return str(_("Say in a few words why you need the full number."))
    if len(note) > NOTE_MAX:
        return str(_("At most %(n)s characters.") % {"n": NOTE_MAX})
    return None


def purpose_detail(purpose: str, note: str) -> dict[str, str]:
    """What the audit row records of the purpose."""
    return {"purpose": purpose, "note": note.strip()[:NOTE_MAX]}


class PurposeForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose of use"), choices=[("", "—"), *PURPOSES])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("Details (needed for “Other”)"), "size": 16}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "purpose" in data:
            problem = purpose_problem(data["purpose"], data.get("note", ""))
            if problem:
                self.add_error("note" if data["purpose"] == "other" else "purpose", problem)
        return data
