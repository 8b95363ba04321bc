from tongxin.statistics.indicators import (  # noqa: F401
    cadres,
    cases,
    cobuilding,
    economy,
    estates,
    exchange,
    gridwork,
    members,
    partylife,
    structure,
    twonew,
    venues,
)
from tongxin.statistics.indicators import assessment  # noqa: F401,E402  (reads the others: last)
