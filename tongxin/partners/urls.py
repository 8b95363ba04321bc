from django.urls import path

from tongxin.partners import views

app_name = "partners"  # tongxin/urls.py adds the co-building pages (the hub, a unit, alliances, duty)
urlpatterns = [
    path("units/", views.unit_list, name="units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/liaisons/", views.unit_liaisons, name="unit_liaisons"),
    path("alliances/new/", views.alliance_create, name="alliance_create"),
    path("alliances/<int:pk>/edit/", views.alliance_edit, name="alliance_edit"),
    path("alliances/<int:pk>/members/", views.alliance_member_add, name="alliance_member_add"),
    path("alliances/members/<int:pk>/end/", views.alliance_member_end, name="alliance_member_end"),
    path("pairings/", views.pairing_list, name="pairings"),
    path("pairings/new/", views.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("pairings/<int:pk>/agreements/", views.agreement_add, name="agreement_add"),
    path("agreements/<int:pk>/file/", views.agreement_file, name="agreement_file"),
    path("agreements/expiring/", views.agreements_expiring_list, name="expiring"),
]
