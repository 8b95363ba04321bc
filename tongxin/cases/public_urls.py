"""The resident's pages, mounted at the site root: /report/, /track/ (find my report) and
/track/<code>/<token>/."""

from django.urls import path

from tongxin.cases import public_views

app_name = "cases_public"
urlpatterns = [
    path("report/", public_views.report, name="report"),
    path("report/similar/", public_views.similar, name="similar"),
    path("report/areas.geojson", public_views.areas, name="areas"),
    path("report/locate/", public_views.locate, name="locate"),
    path("track/", public_views.find, name="find"),
    path("track/<str:code>/<str:token>/", public_views.track, name="track"),
    path("track/<str:code>/<str:token>/photos/<int:photo_pk>/", public_views.track_photo, name="track_photo"),
]
