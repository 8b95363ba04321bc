from django.urls import path

from tongxin.structure import map_views

app_name = "regions_map"
urlpatterns = [
    path("", map_views.index, name="index"),
    path("locate/", map_views.locate, name="locate"),
    path("boundaries.geojson", map_views.boundaries, name="boundaries"),
    path("public/boundaries.geojson", map_views.public_boundaries, name="public_boundaries"),
    path("<int:pk>/", map_views.community, name="community"),
    path("<int:pk>/grids.geojson", map_views.geojson, name="geojson"),
]
