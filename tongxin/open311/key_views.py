"""The security administrator's page of Open311 client keys: list, issue (shown once), revoke."""

from datetime import datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.forms import region_choices
from tongxin.core.access import requires
from tongxin.core.roles import Capability
from tongxin.open311 import keys, selectors
from tongxin.regions.selectors import region_get


class ClientKeyForm(forms.Form):
    """The region is only an id: the view fetches it through the scoped selector (404 outside)."""

    client_name = forms.CharField(
        label=gettext_lazy("Client system"),
        max_length=100,
        help_text=gettext_lazy("Who uses the key, e.g. the city's 12345 app or a street kiosk."),
    )
    region = forms.IntegerField(label=gettext_lazy("Area served"), widget=forms.Select)
    requests_per_hour = forms.IntegerField(
        label=gettext_lazy("Requests per hour"), min_value=1, max_value=keys.MAX_RATE
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, regions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = region_choices(regions)
        self.fields["requests_per_hour"].initial = settings.TONGXIN_OPEN311_REQUESTS_PER_HOUR


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for name, errors in error.message_dict.items():
        target = "expires_on" if name == "expires_at" else name
        form.add_error(target if target in form.fields else None, errors)


def _end_of(day: Any) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time.max)) if day else None


@requires(Capability.CLIENT_KEYS_MANAGE)
@require_http_methods(["GET", "POST"])
def key_list(request: HttpRequest) -> HttpResponse:
    regions = selectors.key_regions(request.user)
    form = ClientKeyForm(request.POST if request.method == "POST" else None, regions=regions)
    issued = secret = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = region_get(request.user, data["region"], capability=Capability.CLIENT_KEYS_MANAGE)
        try:
            issued, secret = keys.client_key_issue(
                client_name=data["client_name"],
                region=region,
                issued_by=request.user,
                requests_per_hour=data["requests_per_hour"],
                expires_at=_end_of(data.get("expires_on")),
                request=request,
            )
        except ValidationError as e:
            _add_errors(form, e)
        else:
            form = ClientKeyForm(regions=regions)
    context = {
        "form": form,
        "keys": selectors.client_keys(request.user),
        "issued": issued,
        "secret": secret,
        "now": timezone.now(),
        "endpoint": request.build_absolute_uri(reverse("open311:discovery", args=["json"])),
    }
    response = render(request, "open311/keys.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the key is in this page once, never in a cache
    return response


@requires(Capability.CLIENT_KEYS_MANAGE)
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = selectors.client_key_get(request.user, pk)
    keys.client_key_revoke(key=key, revoked_by=request.user, request=request)
    messages.success(request, _("The key of “%(client)s” is revoked.") % {"client": key.client_name})
    return redirect("open311_keys:list")
