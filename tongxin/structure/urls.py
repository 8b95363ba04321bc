"""The structure pages that live under the regions' addresses: tongxin/urls.py joins them to
regions.urls in the one "regions" namespace, so {% url 'regions:detail' %} stays as it was."""

from django.urls import path

from tongxin.structure import pages

region_patterns = [
    path("<int:pk>/", pages.region_detail, name="detail"),
]
