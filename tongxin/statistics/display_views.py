"""The security administrator's page of display links (大屏只读链接): issue, list, revoke."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.forms import region_choices
from tongxin.core.access import requires
from tongxin.core.roles import Capability
from tongxin.regions.selectors import region_get
from tongxin.statistics import display_selectors as selectors
from tongxin.statistics import display_services as services


class DisplayLinkForm(forms.Form):
    """The region is only an id: the view fetches it through the scoped selector (404 outside)."""

    label = forms.CharField(
        label=gettext_lazy("Display"),
        max_length=100,
        help_text=gettext_lazy(
            "Where the screen hangs, e.g. the hall of the Party and public service centre."
        ),
    )
    region = forms.IntegerField(label=gettext_lazy("Area shown"), widget=forms.Select)

    def __init__(self, *args: Any, regions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = region_choices(regions)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@requires(Capability.ACCOUNTS_MANAGE)
@require_http_methods(["GET", "POST"])
def displays(request: HttpRequest) -> HttpResponse:
    regions = selectors.display_regions(request.user)
    form = DisplayLinkForm(request.POST if request.method == "POST" else None, regions=regions)
    issued = link_url = None
    if request.method == "POST" and form.is_valid():
        region = region_get(request.user, form.cleaned_data["region"], capability=Capability.ACCOUNTS_MANAGE)
        try:
            issued, token = services.display_link_issue(
                region=region, label=form.cleaned_data["label"], issued_by=request.user, request=request
            )
        except ValidationError as e:
            _add_errors(form, e)
        else:
            link_url = request.build_absolute_uri(reverse("screen:show", args=[token]))
            form = DisplayLinkForm(regions=regions)
    context = {
        "form": form,
        "links": selectors.display_links(request.user),
        "issued": issued,
        "link_url": link_url,
    }
    response = render(request, "statistics/display_list.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the link is in this page once, never in a cache
    return response


@requires(Capability.ACCOUNTS_MANAGE)
@require_POST
def display_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = selectors.display_link_get(request.user, pk)
    services.display_link_revoke(link=link, revoked_by=request.user, request=request)
    messages.success(request, _("The display link “%(label)s” is revoked.") % {"label": link.label})
    return redirect("statistics:displays")
