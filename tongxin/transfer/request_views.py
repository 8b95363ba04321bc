"""Pages of the export requests: ask (with a purpose), the list of one's own and those awaiting
one's approval, a request with its decision and, for the requester, the download."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.audit.purposes import PurposeForm
from tongxin.core.access import requires
from tongxin.core.pages import int_param
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.transfer import layouts, selectors
from tongxin.transfer.models import RequestStatus
from tongxin.transfer.requests import (
    export_request_create,
    export_request_decide,
    export_request_download,
    export_request_get,
    export_requests_visible,
    may_approve,
)

EXPORT = Capability.DATA_EXPORT


class RequestForm(PurposeForm):
    root = forms.TypedChoiceField(label=gettext_lazy("Region"), coerce=int)
    field_order = ["root", "purpose", "note"]

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        layout = layouts.layout_for(layouts.PEOPLE)
        assert layout is not None
        reveal = scope_for(user, Capability.PEOPLE_REVEAL)
        self.roots = {r.pk: r for r in selectors.export_root_choices(user, layout) if reveal.contains(r.path)}
        top = min((r.depth for r in self.roots.values()), default=0)
        root = self.fields["root"]
        assert isinstance(root, forms.ChoiceField)
        root.choices = [(pk, f"{'　' * (r.depth - top)}{r.name}") for pk, r in self.roots.items()]


class DecisionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (needed to refuse)"), required=False, max_length=200)


@requires(EXPORT)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = export_requests_visible(user)
    mine = list(visible.filter(requested_by_id=user.pk)[:50])
    pending = visible.filter(status=RequestStatus.PENDING, expires_at__gt=timezone.now())
    awaiting = list(pending.exclude(requested_by_id=user.pk)[:50])
    return render(request, "transfer/requests.html", {"mine": mine, "awaiting": awaiting})


@requires(EXPORT)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = RequestForm(user, request.POST or None, initial={"root": int_param(request, "root")})
    if not form.roots:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            export = export_request_create(
                user=user,
                root=form.roots[form.cleaned_data["root"]],
                purpose=form.cleaned_data["purpose"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("Your request was sent. A colleague who may reveal numbers here must approve it.")
            )
            return redirect("transfer:request", pk=export.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "transfer/request_new.html", {"form": form}, status=status)


@requires(EXPORT)
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = export_request_get(request.user, pk)
    context = {
        "export": export,
        "can_decide": may_approve(request.user, export) and export.status == RequestStatus.PENDING,
        "can_download": export.requested_by_id == request.user.pk
        and export.status == RequestStatus.APPROVED
        and export.expires_at > timezone.now(),
        "form": DecisionForm(),
    }
    response = render(request, "transfer/request_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@requires(EXPORT)
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    export = export_request_get(request.user, pk)
    form = DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if request.POST.get("decision") not in ("approve", "refuse") or not form.is_valid():
        raise Http404
    try:
        export_request_decide(
            export=export,
            user=request.user,
            approve=approve,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The export was approved.") if approve else _("The export was refused."))
    return redirect("transfer:request", pk=export.pk)


@requires(EXPORT)
@require_GET
def request_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = export_request_get(request.user, pk)
    content, filename = export_request_download(export=export, user=request.user, request=request)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
