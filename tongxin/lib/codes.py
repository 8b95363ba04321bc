"""Region codes.

City, county, street and community use the 12-digit 统计用区划代码 (2 province + 2 city +
2 county + 3 street + 3 community), padded with zeros at the levels above community. A grid is
its community's 12 digits plus a 3-digit sequence (DB11/T 2157-2023); a building adds 5 digits.
"""

import re

CITY, COUNTY, STREET, COMMUNITY, GRID, BUILDING = "city", "county", "street", "community", "grid", "building"

# level -> (total length, number of significant leading digits that must not be all zero)
_SHAPES = {
    CITY: (12, 4),
    COUNTY: (12, 6),
    STREET: (12, 9),
    COMMUNITY: (12, 12),
    GRID: (15, 15),
    BUILDING: (20, 20),
}
SIGNIFICANT_DIGITS = {level: shape[1] for level, shape in _SHAPES.items()}
_PREFIX_OF_PARENT = {COUNTY: 4, STREET: 6, COMMUNITY: 9, GRID: 12, BUILDING: 15}


class CodeError(ValueError):
    pass


def check_code(
    level: str, code: str, *, parent_code: str | None = None, community_code: str | None = None
) -> None:
    """Raise CodeError with a reader-facing reason if `code` does not fit `level` and its parent."""
    from django.utils.translation import gettext as _

    total, significant = _SHAPES[level]
    if not re.fullmatch(rf"\d{{{total}}}", code or ""):
        raise CodeError(_("The code must be %(n)d digits.") % {"n": total})
    if total == 12 and code[significant:] != "0" * (12 - significant):
        raise CodeError(
            _("At this level the last %(n)d digits of the code must be 0.") % {"n": 12 - significant}
        )
    if level == COMMUNITY and code[9:] == "000":
        raise CodeError(_("A community code must not end in 000."))
    if level == STREET and code[6:9] == "000":
        raise CodeError(_("A street code must not have 000 in digits 7–9."))
    if level == GRID and code[12:] == "000":
        raise CodeError(_("A grid sequence number must not be 000."))
    if level == BUILDING and code[15:] == "00000":
        raise CodeError(_("A building sequence number must not be 00000."))
    if level == GRID and community_code is not None and not code.startswith(community_code):
        raise CodeError(
            _("A grid code must begin with its community's code %(code)s.") % {"code": community_code}
        )
    if parent_code is not None and level in _PREFIX_OF_PARENT and level != GRID:
        n = _PREFIX_OF_PARENT[level]
        if code[:n] != parent_code[:n]:
            raise CodeError(
                _("The code must begin with the parent's code %(prefix)s.") % {"prefix": parent_code[:n]}
            )
