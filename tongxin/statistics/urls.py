from django.urls import include, path

from tongxin.statistics import annual, screen_views, views

app_name = "statistics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("rows/<str:code>/", views.rows, name="rows"),
    path("map.json", views.map_data, name="map"),
    path("ledger.xlsx", views.ledger, name="ledger"),
    path("annual/villages.xlsx", annual.village_ledger, name="annual_villages"),
    path("annual/twonew.xlsx", annual.twonew_ledger, name="annual_twonew"),
    path("targets/", views.targets, name="targets"),
    path("screen/", screen_views.official, name="screen"),
    path("screen/live/", screen_views.official_live, name="screen_live"),
    path("indicators/", views.definitions, name="definitions"),
    path("report/", include("tongxin.statistics.report_urls")),
    path("displays/", include("tongxin.statistics.display_urls")),
]
