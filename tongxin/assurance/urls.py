from django.urls import path

from tongxin.assurance import views

app_name = "assurance"
urlpatterns = [
    path("", views.checklist_page, name="checklist"),
]
