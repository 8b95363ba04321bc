from tongxin.statistics.indicators import cases, cobuilding, members, partylife, structure  # noqa: F401
