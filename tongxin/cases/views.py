from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongxin.accounts.roles import Capability
from tongxin.cases.selectors import case_get
from tongxin.core.access import requires


@requires(Capability.CASES_VIEW)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(request.user, pk)
    return render(
        request,
        "cases/detail.html",
        {"case": case, "timeline": case.transitions.select_related("actor").order_by("at", "id")},
    )
