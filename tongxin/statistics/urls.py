from django.urls import include, path

from tongxin.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("rows/<str:code>/", views.rows, name="rows"),
    path("map.json", views.map_data, name="map"),
    path("ledger.xlsx", views.ledger, name="ledger"),
    path("targets/", views.targets, name="targets"),
    path("indicators/", views.definitions, name="definitions"),
    path("report/", include("tongxin.statistics.report_urls")),
    path("displays/", include("tongxin.statistics.display_urls")),
]
