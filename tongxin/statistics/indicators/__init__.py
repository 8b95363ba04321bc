from tongxin.statistics.indicators import (  # noqa: F401
    cases,
    cobuilding,
    economy,
    gridwork,
    members,
    partylife,
    structure,
)
