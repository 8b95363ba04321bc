from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongxin.audit.forms import AuditFilterForm
from tongxin.audit.models import AuditEvent
from tongxin.audit.selectors import audit_events_filter, audit_events_visible, sees_unfiled_events
from tongxin.audit.services import audit_check
from tongxin.core.access import requires
from tongxin.core.pages import paginate
from tongxin.core.roles import Capability

PAGE_SIZE = 50


@requires(Capability.AUDIT_VIEW)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    visible = audit_events_visible(request.user)
    events = audit_events_filter(visible, **form.cleaned_data) if form.is_valid() else visible.none()
    page = paginate(request, events, PAGE_SIZE)
    # the whole chain, not only the auditor's part: one changed event anywhere breaks it
    # (new events are checked now; the hourly job re-walks everything)
    intact, first_broken = audit_check()
    context = {
        "form": form,
        "page": page,
        "intact": intact,
        "first_broken": first_broken,
        "chain_length": AuditEvent.objects.count(),
        "sees_unfiled": sees_unfiled_events(request.user),
    }
    return render(request, "audit/list.html", context, status=200 if form.is_valid() else 400)
