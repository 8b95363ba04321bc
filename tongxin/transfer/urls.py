from django.urls import path

from tongxin.transfer import request_views, views

app_name = "transfer"
urlpatterns = [
    path("", views.index, name="index"),
    path("requests/", request_views.request_list, name="requests"),
    path("requests/new/", request_views.request_new, name="request_new"),
    path("requests/<int:pk>/", request_views.request_detail, name="request"),
    path("requests/<int:pk>/decide/", request_views.request_decide, name="request_decide"),
    path("requests/<int:pk>/download/", request_views.request_download, name="request_download"),
    path("<slug:kind>/template/", views.template, name="template"),
    path("<slug:kind>/export/", views.export, name="export"),
    path("<slug:kind>/import/", views.import_file, name="import"),
]
