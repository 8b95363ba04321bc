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

# isort: split
# the assessment's objective items read the other indicators: it is imported last
from tongxin.statistics.indicators import assessment  # noqa: F401
