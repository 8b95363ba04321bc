from django.urls import path

from tongxin.estates import views

app_name = "estates"
urlpatterns = [
    path("", views.estate_list, name="list"),
    path("<int:pk>/", views.estate_detail, name="detail"),
    path("firms/<int:pk>/", views.firm_detail, name="firm"),
    path("firms/<int:pk>/score/", views.firm_score, name="firm_score"),
    path("heads/", views.head_list, name="heads"),
    path("heads/<int:pk>/", views.head_detail, name="head"),
    path("heads/<int:pk>/grade/", views.head_grade, name="head_grade"),
    path("heads/<int:pk>/duties/<int:duty>/verify/", views.duty_verify, name="duty_verify"),
    path("subsidies/", views.run_list, name="runs"),
    path("subsidies/export/", views.payment_export, name="payment_export"),
    path("subsidies/<int:pk>/", views.run_detail, name="run"),
    path("subsidies/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("funds/", views.fund_list, name="funds"),
    path("funds/<int:pk>/", views.fund_detail, name="fund"),
    path("map/", views.project_map, name="map"),
    path("map/projects.geojson", views.project_points, name="map_points"),
]
