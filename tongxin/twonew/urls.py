from django.urls import path

from tongxin.twonew import views

app_name = "twonew"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/items/<int:item>/done/", views.rectification_done, name="item_done"),
]
