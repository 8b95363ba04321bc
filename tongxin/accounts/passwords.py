"""Password policy beyond Django's validators (settings: TONGXIN_PASSWORD_*), and one-time
passwords. Every threshold is read from settings at call time, so the profile decides."""

import re
import secrets
import string
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Rows of letters and digits a person types when asked for "a password": any run of 6 from them
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "01234567890",
    "1qaz2wsx3edc4rfv",
)
# The product's and the places' own names, which a guesser tries first
GUESSABLE_WORDS = ("tongxin", "dangjian", "wangge", "shequ", "admin", "password", "passw0rd")
CLASSES = (
    ("lower", re.compile(r"[a-z]")),
    ("upper", re.compile(r"[A-Z]")),
    ("digit", re.compile(r"[0-9]")),
    ("other", re.compile(r"[^a-zA-Z0-9]")),
)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _longest_run(text: str) -> int:
    """The longest piece (6 or more) of a keyboard or alphabet row, either way round, in `text`."""
    longest = 0
    for row in SEQUENCES:
        for seq in (row, row[::-1]):
            for start in range(len(seq) - 5):
                for end in range(len(seq), start + 5 + max(longest - 5, 0), -1):
                    if end - start > longest and seq[start:end] in text:
                        longest = end - start
                        break
    return longest


class MaximumLengthValidator:
    """A generous maximum (ASVS: at least 64), so pass phrases fit and hashing stays bounded."""

    def validate(self, password: str, user: Any = None) -> None:
        limit = _setting("TONGXIN_PASSWORD_MAX_LENGTH", 128)
        if len(password) > limit:
            raise ValidationError(
                ngettext(
                    "The password may have at most %(n)d character.",
                    "The password may have at most %(n)d characters.",
                    limit,
                )
                % {"n": limit},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("At most %(n)d characters.") % {"n": _setting("TONGXIN_PASSWORD_MAX_LENGTH", 128)}


class GuessableValidator:
    """Refuses keyboard and alphabet runs and the product's own name with a year (tongxin2026)."""

    def validate(self, password: str, user: Any = None) -> None:
        folded = password.lower()
        core = re.sub(r"[^a-z]", "", folded)
        compact = re.sub(r"[^a-z0-9]", "", folded)
        for word in GUESSABLE_WORDS:
            if any(word in text and len(text) - len(word) <= 2 for text in (core, compact)):
                raise ValidationError(
                    _("This password is too easy to guess: it is mostly a well-known word."),
                    code="password_guessable",
                )
        if len(compact) - _longest_run(compact) < 6:
            raise ValidationError(
                _("This password is too easy to guess: it is mostly a run of keys or letters."),
                code="password_guessable",
            )

    def get_help_text(self) -> str:
        return _("Not a run of keys or letters, not the product's name.")


class CompositionValidator:
    """At least TONGXIN_PASSWORD_CLASSES of: lower case, upper case, digits, other characters."""

    def validate(self, password: str, user: Any = None) -> None:
        needed = _setting("TONGXIN_PASSWORD_CLASSES", 0)
        held = sum(1 for _name, pattern in CLASSES if pattern.search(password))
        if needed and held < needed:
            raise ValidationError(
                _(
                    "The password must mix at least %(n)d of: lower-case letters, capital letters, "
                    "digits and other characters."
                )
                % {"n": needed},
                code="password_composition",
            )

    def get_help_text(self) -> str:
        needed = _setting("TONGXIN_PASSWORD_CLASSES", 0)
        if not needed:
            return ""
        return _("Mix at least %(n)d of: lower-case letters, capital letters, digits, other characters.") % {
            "n": needed
        }


class HistoryValidator:
    """Not the current password nor one of the last TONGXIN_PASSWORD_HISTORY."""

    def validate(self, password: str, user: Any = None) -> None:
        depth = _setting("TONGXIN_PASSWORD_HISTORY", 0)
        if not depth or user is None or user.pk is None:
            return
        earlier = list(user.password_history.values_list("password", flat=True)[:depth])
        if user.has_usable_password():
            earlier.append(user.password)
        if any(check_password(password, encoded) for encoded in earlier):
            raise ValidationError(
                ngettext(
                    "Choose a password you have not used recently (not the last %(n)d).",
                    "Choose a password you have not used recently (not the last %(n)d).",
                    depth,
                )
                % {"n": depth},
                code="password_reused",
            )

    def get_help_text(self) -> str:
        depth = _setting("TONGXIN_PASSWORD_HISTORY", 0)
        return _("Not one of your last %(n)d passwords.") % {"n": depth} if depth else ""


ONE_TIME_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def one_time_password() -> str:
    """A random password that passes every validator: four groups of five, all four classes."""
    while True:
        groups = ["".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(5)) for _ in range(4)]
        candidate = "-".join(groups)
        if all(pattern.search(candidate) for _name, pattern in CLASSES):
            return candidate
