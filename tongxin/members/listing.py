"""The service records list (verified services of the members of an area): its page, count and
Excel export read the same form and selector as the API, so they never differ."""

from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from tongxin.audit.exports import export_view
from tongxin.core.access import requires
from tongxin.core.pages import paginate
from tongxin.core.periods import PeriodForm, list_tools
from tongxin.core.roles import Capability
from tongxin.core.xlsx import Column, field, related_name
from tongxin.members import selectors
from tongxin.members.models import ServiceEntry, ServiceSource

PERIOD_HELP = _lazy("The period is the day of the service.")


def service_selection(request: HttpRequest) -> tuple[PeriodForm, QuerySet[ServiceEntry]]:
    form = PeriodForm(
        request.GET or None, kinds=ServiceSource.choices, kind_label=_("Source"), period_help=PERIOD_HELP
    )
    return form, selectors.service_entries_listed(request.user, **form.values())


COLUMNS = [
    field(ServiceEntry, "on", width=12),
    Column(_lazy("Member"), related_name("person.name"), width=12),
    field(ServiceEntry, "source", width=30),
    field(ServiceEntry, "title", width=44),
    Column(_lazy("Where"), related_name("region.name"), width=18),
    field(ServiceEntry, "hours", width=8, total=True),
]


@requires(Capability.MEMBERS_VIEW)
@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    form, entries = service_selection(request)
    page = paginate(request, entries)
    hours = entries.aggregate(hours=Sum("hours"))["hours"] or Decimal(0)
    return render(
        request,
        "members/service_list.html",
        {
            "page": page,
            "hours": hours,
            **list_tools(request, form, page.paginator.count, reverse("members:service_export")),
        },
    )


service_export = requires(Capability.MEMBERS_VIEW)(
    export_view(
        service_selection,
        COLUMNS,
        name="service-records",
        title=_lazy("Service records"),
        back="members:services",
    )
)
