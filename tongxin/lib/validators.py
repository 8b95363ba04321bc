"""Plain checks for Chinese identifiers (no Django)."""

import re
from datetime import date

PHONE_RE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def is_valid_phone(value: str) -> bool:
    return bool(PHONE_RE.match(value.strip()))


def id_card_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_id_card(value: str) -> bool:
    """GB 11643-1999 18-digit citizen identity number with its check digit and birth date."""
    v = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", v):
        return False
    try:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return False
    return id_card_check_digit(v[:17]) == v[17]


# C0 controls but tab and line breaks, DEL, C1 controls, and the bidirectional overrides that
# make text read differently from how it is stored ("Trojan source"); none belongs in a name or
# a note, and several make an Excel export or a PDF fail
CONTROL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS_RE.search(value) is not None


def strip_control_characters(value: str) -> str:
    return CONTROL_CHARACTERS_RE.sub("", value)
