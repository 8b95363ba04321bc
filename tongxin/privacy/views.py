"""The privacy pages: the public notice and request form, the registry for the security
administrator and the auditor, and the subject-rights requests for the officials who answer them."""

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.cases.selectors import report_communities
from tongxin.core.access import public, requires
from tongxin.core.actors import RESIDENT
from tongxin.core.forms import add_service_errors
from tongxin.core.pages import form_page, paginate
from tongxin.core.ratelimit import over_limit
from tongxin.core.roles import Capability
from tongxin.people.selectors import people_visible
from tongxin.privacy import services
from tongxin.privacy.conf import value
from tongxin.privacy.forms import PublicRequestForm, RequestForm, TransitionForm
from tongxin.privacy.models import RequestKind, SubjectRequest
from tongxin.privacy.registry import REGISTRY, Purpose, Retention, registry_digest, rows
from tongxin.privacy.selectors import request_get, requests_by_urgency, subject_export
from tongxin.privacy.workflow import actions_from
from tongxin.regions.models import Level
from tongxin.regions.selectors import regions_visible

HANDLE = Capability.PRIVACY_REQUESTS


def _retention_rows() -> list[tuple[Any, int | None]]:
    rows = []
    for retention in Retention:
        days = next((e.retention_days() for e in REGISTRY if e.retention == retention), None)
        rows.append((retention.label, days))
    return rows


@public
@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    """个人信息处理告知: what Tongxin processes, why, on which basis, how long, and the person's rights."""
    return render(
        request,
        "privacy/notice.html",
        {
            "purposes": list(Purpose),
            "retention": _retention_rows(),
            "due_days": value("TONGXIN_PRIVACY_DUE_WORKING_DAYS"),
            "kinds": list(RequestKind),
        },
    )


@public
@require_http_methods(["GET", "POST"])
def public_request(request: HttpRequest) -> HttpResponse:
    form = PublicRequestForm(request.POST or None, communities=report_communities())
    context = {"form": form, "due_days": value("TONGXIN_PRIVACY_DUE_WORKING_DAYS")}
    if request.method != "POST":
        return render(request, "privacy/request_public.html", context)
    if over_limit(request, "privacy_request", value("TONGXIN_PRIVACY_REQUESTS_PER_HOUR")):
        return render(request, "privacy/request_public.html", {**context, "limited": True}, status=429)
    if form.is_bot():
        form.add_error(None, _("Please leave the last field empty."))
    elif form.is_valid():
        data = form.cleaned_data
        try:
            filed = services.request_create(
                actor=RESIDENT,
                kind=data["kind"],
                region=data["community"],
                requester_name=data["requester_name"],
                phone=data["phone"],
                detail=data["detail"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "privacy/request_filed.html", {"filed": filed})
    return render(request, "privacy/request_public.html", context, status=400)


@requires(Capability.PRIVACY_REGISTRY)
@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/registry.html",
        {"rows": rows(), "digest": registry_digest()},
    )


@requires(HANDLE)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = paginate(request, requests_by_urgency(request.user, today))
    return render(request, "privacy/requests.html", {"page": page, "today": today})


@requires(HANDLE)
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    communities = (
        regions_visible(user, capability=HANDLE).filter(level=Level.COMMUNITY).select_related("parent")
    )
    form = RequestForm(
        request.POST or None,
        communities=communities.order_by("path"),
        people=people_visible(user, capability=HANDLE),
    )
    return form_page(
        request,
        form,
        save=lambda f: services.request_create(
            actor=user,
            kind=f.cleaned_data["kind"],
            region=f.cleaned_data["community"],
            person=f.cleaned_data["person"],
            requester_name=f.cleaned_data["requester_name"],
            phone=f.cleaned_data["phone"],
            detail=f.cleaned_data["detail"],
            received_on=f.cleaned_data["received_on"],
        ),
        success=lambda filed: filed,
        message=lambda filed: _("Request %(reference)s recorded.") % {"reference": filed.reference},
        template="privacy/request_form.html",
    )


@requires(HANDLE)
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject_request = request_get(request.user, pk)
    return _detail(request, subject_request, TransitionForm(initial={"version": subject_request.version}))


def _detail(
    request: HttpRequest, subject_request: SubjectRequest, form: TransitionForm, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "privacy/request.html",
        {
            "r": subject_request,
            "form": form,
            "actions": actions_from(subject_request.status),
            "history": list(subject_request.transitions.select_related("actor")),
            "overdue": subject_request.is_open and subject_request.due_on < today,
            "can_export": subject_request.kind == RequestKind.ACCESS,
        },
        status=status,
    )


@requires(HANDLE)
@require_POST
def request_step(request: HttpRequest, pk: int) -> HttpResponse:
    subject_request = request_get(request.user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.request_transition(
                request=subject_request,
                action=form.cleaned_data["action"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"action": "__all__"})
        else:
            messages.success(request, _("The request is updated."))
            return redirect(subject_request)
    return _detail(request, request_get(request.user, pk), form, status=400)


@requires(HANDLE)
@require_GET
def request_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The copy an access request gives the person: audited like every export of personal data."""
    subject_request = request_get(request.user, pk)
    if subject_request.kind != RequestKind.ACCESS:
        return redirect(subject_request)
    export = subject_export(subject_request)
    audit_record(
        action=Action.EXPORT,
        actor=request.user,
        request=request,
        region=subject_request.region,
        target=subject_request.reference,
        detail={"purpose": "subject_access", "records": sum(len(s["records"]) for s in export["sections"])},
    )
    response = HttpResponse(
        json.dumps(export, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{subject_request.reference}.json"'
    return response
