from django.urls import include, path

from tongxin.api import api

urlpatterns = [
    path("", include("tongxin.core.urls")),
    path("accounts/", include("tongxin.accounts.urls")),
    path("regions/", include("tongxin.regions.urls")),
    path("map/", include("tongxin.regions.map_urls")),
    path("organisations/", include("tongxin.organisations.urls")),
    path("people/", include("tongxin.people.urls")),
    path("audit/", include("tongxin.audit.urls")),
    path("cases/", include("tongxin.cases.urls")),
    path("transfer/", include("tongxin.transfer.urls")),
    path("api/v1/", api.urls),
]

handler403 = "tongxin.core.views.forbidden"
handler404 = "tongxin.core.views.not_found"
handler500 = "tongxin.core.views.server_error"
