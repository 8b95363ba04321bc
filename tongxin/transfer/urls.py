from django.urls import path

from tongxin.transfer import views

app_name = "transfer"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>/template/", views.template, name="template"),
    path("<slug:kind>/export/", views.export, name="export"),
    path("<slug:kind>/import/", views.import_file, name="import"),
]
