from tongxin.statistics.indicators import (  # noqa: F401
    cadres,
    cases,
    cobuilding,
    economy,
    gridwork,
    members,
    partylife,
    structure,
)
