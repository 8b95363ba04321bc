from django.urls import path

from tongxin.cadres import views

app_name = "cadres"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("changes/", views.changes, name="changes"),
    path("terms/", views.terms, name="terms"),
    path("terms/<int:pk>/", views.term_detail, name="term"),
    path("terms/<int:pk>/election/", views.election_create, name="election_create"),
    path("units/<int:node>/terms/new/", views.term_open, name="term_open"),
    path("elections/<int:pk>/", views.election_detail, name="election"),
    path("elections/<int:pk>/take-office/", views.take_office, name="take_office"),
    path("people/<int:pk>/", views.profile, name="profile"),
    path("stationed/", views.stationed, name="stationed"),
    path("stationed/new/", views.stationed_create, name="stationed_create"),
    path("stationed/<int:pk>/", views.stationed_edit, name="stationed_edit"),
    path("stationed/<int:pk>/end/", views.stationed_end, name="stationed_end"),
    path("rules/", views.term_rules, name="rules"),
    path("units/<int:node>/rules/new/", views.term_rule_create, name="rule_create"),
]
