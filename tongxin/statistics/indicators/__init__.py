from tongxin.statistics.indicators import cases, cobuilding, gridwork, members, partylife, structure  # noqa: F401
