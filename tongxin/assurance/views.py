"""The security administrator's page: each row of the checklist with its state on this installation."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongxin.assurance.checklist import STATE_LABELS, State, checklist, summary
from tongxin.core.access import requires
from tongxin.core.roles import Capability


@requires(Capability.SECURITY_VIEW)
@require_GET
def checklist_page(request: HttpRequest) -> HttpResponse:
    found = checklist()
    wanted = request.GET.get("state", "")
    shown = [(row, finding) for row, finding in found if not wanted or finding.state == wanted]
    counts = summary(found)
    context = {
        "rows": shown,
        "states": [(state, STATE_LABELS[state], counts[state]) for state in State],
        "wanted": wanted,
        "total": len(found),
    }
    return render(request, "assurance/checklist.html", context)
