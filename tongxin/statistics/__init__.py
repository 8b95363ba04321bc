"""Figures that nobody types: one registry of indicators read by the overview, charts, big screen,
report, Excel ledger and API."""
