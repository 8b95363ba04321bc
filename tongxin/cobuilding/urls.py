"""The co-building pages that live under the partners' and the lists' addresses: tongxin/urls.py
joins them to partners.urls and lists.urls in the "partners" and "lists" namespaces, so
{% url 'partners:duty' %} and {% url 'lists:ledger' %} stay as they were."""

from django.urls import path

from tongxin.cobuilding import pages

partner_patterns = [
    path("", pages.index, name="index"),
    path("units/<int:pk>/", pages.unit_detail, name="unit"),
    path("alliances/", pages.alliance_list, name="alliances"),
    path("alliances/<int:pk>/", pages.alliance_detail, name="alliance"),
    path("duty/", pages.duty, name="duty"),
]

list_patterns = [
    path("ledger/", pages.ledger, name="ledger"),
]
