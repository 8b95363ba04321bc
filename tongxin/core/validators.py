"""Checks shared by the forms and the JSON API's schemas, so a page and the API refuse alike."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from tongxin.lib.validators import has_control_characters

CONTROL_CHARACTERS_MESSAGE = _("Remove the invisible control characters from this text.")


@deconstructible
class NoControlCharacters:
    """Refuses text with control characters (tab and line breaks are fine)."""

    message = CONTROL_CHARACTERS_MESSAGE
    code = "control_characters"

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters)

    def __hash__(self) -> int:
        return hash(self.code)


no_control_characters = NoControlCharacters()


def text_without_control_characters(value: str) -> str:
    """The pydantic form of the same check (see tongxin.core.schemas.Text)."""
    if has_control_characters(value):
        raise ValueError(str(CONTROL_CHARACTERS_MESSAGE))
    return value
