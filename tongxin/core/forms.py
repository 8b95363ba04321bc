"""Form pieces every app's forms use: the date widget, and a service's errors put onto a form."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


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
