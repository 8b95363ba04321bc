from django.urls import path

from tongxin.estates import views

app_name = "estates"
urlpatterns = [
    path("", views.estate_list, name="list"),
    path("new/", views.estate_new, name="new"),
    path("<int:pk>/", views.estate_detail, name="detail"),
    path("<int:pk>/edit/", views.estate_edit, name="edit"),
    path("<int:pk>/committee/new/", views.term_new, name="term_new"),
    path("<int:pk>/meetings/link/", views.meeting_link, name="meeting_link"),
    path("committees/<int:pk>/members/", views.member_add, name="member_add"),
    path("committees/<int:pk>/members/<int:member>/end/", views.member_end, name="member_end"),
    path("committees/<int:pk>/end/", views.term_end, name="term_end"),
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
    path("funds/new/", views.fund_new, name="fund_new"),
    path("funds/<int:pk>/", views.fund_detail, name="fund"),
    path("funds/<int:pk>/projects/", views.fund_project_add, name="fund_project_add"),
    path("rules/", views.rules_list, name="rules"),
    path("rules/<int:pk>/", views.rules_place, name="rules_place"),
    path("rules/<int:pk>/<slug:kind>/new/", views.rules_new, name="rules_new"),
    path("map/", views.project_map, name="map"),
    path("map/projects/<int:pk>/", views.project_locate, name="locate"),
    path("map/projects.geojson", views.project_points, name="map_points"),
]
