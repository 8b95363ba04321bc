"""Form pieces every app's forms use: the date widget, a service's errors put onto a form, a form
whose pickers keep to the user's scope, an edit form's initial values, and plain error messages
for Django's fields.

Django's stock messages read like a manual (“确认小数点前不超过 3 位”); `use_plain_messages`
puts plain ones in their place for every field and validator, once, when Tongxin starts
(CoreConfig imports this module before any form class is defined).
"""

from collections.abc import Iterable
from typing import Any, ClassVar, Protocol, cast

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from tongxin.core.validators import no_control_characters

# field class -> error code -> message; fields inherit their parents' (Field's “required” for all)
FIELD_MESSAGES: dict[type[forms.Field], dict[str, Any]] = {
    forms.Field: {"required": _("Please fill in this field.")},
    forms.IntegerField: {"invalid": _("Enter a whole number, such as 12.")},
    forms.FloatField: {"invalid": _("Enter a number, such as 12.5.")},
    forms.DecimalField: {"invalid": _("Enter a number, such as 12.5.")},
    forms.DateField: {"invalid": _("Enter a date such as 2026-12-07.")},
    forms.TimeField: {"invalid": _("Enter a time such as 09:30.")},
    forms.DateTimeField: {"invalid": _("Enter a date and time such as 2026-12-07 09:30.")},
    forms.URLField: {"invalid": _("Enter a web address such as https://example.com.")},
    forms.ChoiceField: {"invalid_choice": _("Choose one of the options in the list.")},
    forms.MultipleChoiceField: {
        "invalid_choice": _("Choose only options in the list."),
        "invalid_list": _("Choose from the list."),
    },
    forms.ModelChoiceField: {"invalid_choice": _("Choose one of the options in the list.")},
    forms.ModelMultipleChoiceField: {
        "invalid_choice": _("Choose only options in the list."),
        "invalid_list": _("Choose from the list."),
        "invalid_pk_value": _("Choose only options in the list."),
    },
    forms.FileField: {
        "invalid": _("No file was sent. Choose the file again."),
        "missing": _("No file was sent. Choose the file again."),
        "empty": _("The file is empty."),
        "contradiction": _("Either choose a new file or tick “clear”, not both."),
        "max_length": ngettext_lazy(
            "Shorten the file name to %(max)d character or fewer (it has %(length)d).",
            "Shorten the file name to %(max)d characters or fewer (it has %(length)d).",
            "max",
        ),
    },
    forms.ImageField: {"invalid_image": _("This is not a picture we can read. Send a JPEG or PNG photo.")},
}

VALIDATOR_MESSAGES: dict[type[Any], Any] = {
    validators.MaxLengthValidator: ngettext_lazy(
        "At most %(limit_value)d character (now %(show_value)d).",
        "At most %(limit_value)d characters (now %(show_value)d).",
        "limit_value",
    ),
    validators.MinLengthValidator: ngettext_lazy(
        "At least %(limit_value)d character (now %(show_value)d).",
        "At least %(limit_value)d characters (now %(show_value)d).",
        "limit_value",
    ),
    validators.MaxValueValidator: _("At most %(limit_value)s."),
    validators.MinValueValidator: _("At least %(limit_value)s."),
    validators.EmailValidator: _("Enter an email address such as name@example.com."),
    validators.URLValidator: _("Enter a web address such as https://example.com."),
}

DECIMAL_MESSAGES: dict[str, Any] = {
    "invalid": _("Enter a number, such as 12.5."),
    "max_digits": ngettext_lazy(
        "The number is too long: at most %(max)s digit in all.",
        "The number is too long: at most %(max)s digits in all.",
        "max",
    ),
    "max_decimal_places": ngettext_lazy(
        "At most %(max)s digit after the decimal point.",
        "At most %(max)s digits after the decimal point.",
        "max",
    ),
    "max_whole_digits": ngettext_lazy(
        "The number is too large: at most %(max)s digit before the decimal point.",
        "The number is too large: at most %(max)s digits before the decimal point.",
        "max",
    ),
}


def use_plain_messages() -> None:
    """Put Tongxin's messages in place of Django's stock ones (idempotent)."""
    for field_class, messages in FIELD_MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **messages}
    for validator_class, message in VALIDATOR_MESSAGES.items():
        validator_class.message = message
    validators.DecimalValidator.messages = {**validators.DecimalValidator.messages, **DECIMAL_MESSAGES}


use_plain_messages()


def refuse_control_characters() -> None:
    """Every text field of every form refuses control characters (idempotent): they are invisible
    on the page and break the Excel exports and PDFs the text later goes into."""
    if no_control_characters not in forms.CharField.default_validators:
        forms.CharField.default_validators = [*forms.CharField.default_validators, no_control_characters]


refuse_control_characters()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError (keyed by field) onto the form's fields.

    Keys the form has no field for, and errors without keys, become non-field errors;
    `field_map` renames a service's argument to the form field that carries it."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, messages in exc.message_dict.items():
        name = field_map.get(key, key)
        form.add_error(name if name in form.fields else None, messages)


def initial_from(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    """An edit form's initial values: the object's attributes of those names."""
    return {name: getattr(obj, name) for name in names}


class Picker(Protocol):
    """A choice field that can keep its choices to what a user may act on (regions, organisations,
    people: their `limit_to`)."""

    def limit_to(self, user: Any, *, capability: str, **options: Any) -> None: ...


class ScopedForm(forms.Form):
    """A form whose pickers offer only what the user may act on.

    `scoped` maps each picker field to its limit_to options (capability, levels, kinds…); a
    capability left out there is the one the view passes. `fixed` names the fields left out when
    editing: what is set once, when the thing is made; the edit form starts from the object's values
    of all the others (`initial_for`)."""

    scoped: ClassVar[dict[str, dict[str, Any]]] = {}
    fixed: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, *args: Any, user: Any, editing: bool = False, capability: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fixed if editing else ():
            del self.fields[name]
        for name, options in self.scoped.items():
            if name in self.fields:
                cast(Picker, self.fields[name]).limit_to(user, **{"capability": capability, **options})

    @classmethod
    def initial_for(cls, obj: Any) -> dict[str, Any]:
        return initial_from(obj, (name for name in cls.base_fields if name not in cls.fixed))
