from django.urls import include, path

from tongxin.api import api
from tongxin.cobuilding import urls as cobuilding_urls
from tongxin.lists import urls as list_urls
from tongxin.partners import urls as partner_urls
from tongxin.regions import urls as region_urls
from tongxin.structure import urls as structure_urls
from tongxin.structure.pages import home
from tongxin.workbench import views as workbench_views

urlpatterns = [
    # everyone starts from the page of their role (tongxin/workbench); the region tree is one click away
    path("", workbench_views.start, name="home"),
    path("structure/", home, name="structure"),
    path("workbench/", include("tongxin.workbench.urls")),
    path("", include("tongxin.core.urls")),
    path("", include("tongxin.accounts.auth_urls")),
    path("accounts/", include("tongxin.accounts.urls")),
    path("regions/", include((region_urls.urlpatterns + structure_urls.region_patterns, "regions"))),
    path("map/", include("tongxin.structure.map_urls")),
    path("organisations/", include("tongxin.organisations.urls")),
    path("people/", include("tongxin.people.urls")),
    path("households/", include("tongxin.households.urls")),
    path("cadres/", include("tongxin.cadres.urls")),
    path("audit/", include("tongxin.audit.urls")),
    path("security/", include("tongxin.assurance.urls")),
    path("cases/", include("tongxin.cases.urls")),
    path("notifications/", include("tongxin.notifications.urls")),
    # the resident's pages without an account: /report/ and /track/<code>/<token>/
    path("", include("tongxin.cases.public_urls")),
    path("transfer/", include("tongxin.transfer.urls")),
    # Open311 GeoReport v2 for client systems, and the security administrator's page of their keys
    path("open311/v2/", include("tongxin.open311.urls")),
    path("open311/keys/", include("tongxin.open311.key_urls")),
    path("partners/", include((partner_urls.urlpatterns + cobuilding_urls.partner_patterns, "partners"))),
    path("lists/", include((list_urls.urlpatterns + cobuilding_urls.list_patterns, "lists"))),
    path("meetings/", include("tongxin.meetings.urls")),
    path("members/", include("tongxin.members.urls")),
    path("activities/", include("tongxin.activities.urls")),
    path("partylife/", include("tongxin.partylife.urls")),
    path("statistics/", include("tongxin.statistics.urls")),
    path("assessment/", include("tongxin.assessment.urls")),
    path("villages/", include("tongxin.villages.urls")),
    path("twonew/", include("tongxin.twonew.urls")),
    # the personal-information notice and requests (public), the registry and the requests' pages
    path("privacy/", include("tongxin.privacy.urls")),
    path("gridwork/", include("tongxin.gridwork.urls")),
    # venues (阵地): the public list, booking and private links, and the keepers' pages
    path("venues/", include("tongxin.venues.urls")),
    path("estates/", include("tongxin.estates.urls")),
    # the wall display (大屏) opened by a read-only link, without an account
    path("screen/", include("tongxin.statistics.screen_urls")),
    # the 12345 hotline platforms and the group robots (configuration and delivery logs)
    path("exchange/", include("tongxin.exchange.urls")),
    path("api/v1/", api.urls),
]

handler403 = "tongxin.core.views.forbidden"
handler404 = "tongxin.core.views.not_found"
handler500 = "tongxin.core.views.server_error"
