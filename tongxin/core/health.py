"""What /healthz asks besides the database: each app that runs something in the background
registers a probe here (in its AppConfig.ready), so core need not import the apps above it."""

from collections.abc import Callable

# a probe answers None when all is well, else a short English sentence for the operator
Probe = Callable[[], str | None]
PROBES: dict[str, Probe] = {}


def register(name: str, probe: Probe) -> None:
    PROBES[name] = probe


def problems() -> dict[str, str]:
    found = {}
    for name, probe in PROBES.items():
        problem = probe()
        if problem:
            found[name] = problem
    return found
