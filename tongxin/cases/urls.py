from django.urls import path

from tongxin.cases import config_views, listing, rates_views, views, worker_views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("map.json", views.case_map, name="map"),
    path("export.xlsx", listing.case_export, name="export"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.case_act, name="act"),
    path("<int:pk>/reveal/", views.reveal_phone, name="reveal"),
    path("<int:pk>/photos/<int:photo_pk>/", views.case_photo, name="photo"),
    path("mine/", worker_views.mine, name="mine"),
    path("patrol/", worker_views.patrol, name="patrol"),
    path("hotline/", worker_views.hotline, name="hotline"),
    path("hotline/<int:pk>/done/", worker_views.hotline_done, name="hotline_done"),
    path("pool/", worker_views.pool, name="pool"),
    path("supervision/", worker_views.supervision, name="supervision"),
    path("rates/", rates_views.rates, name="rates"),
    path("config/", config_views.index, name="config"),
    path("config/categories/new/", config_views.category_edit, name="config_category_new"),
    path("config/categories/<int:pk>/", config_views.category_edit, name="config_category"),
    path("config/whistles/new/", config_views.whistle_edit, name="config_whistle_new"),
    path("config/whistles/<int:pk>/", config_views.whistle_edit, name="config_whistle"),
    path("config/calendar/", config_views.calendar, name="config_calendar"),
    path("config/calendar/<int:pk>/delete/", config_views.calendar_delete, name="config_calendar_delete"),
    path("config/rates/", config_views.rate_rules, name="config_rates"),
]
