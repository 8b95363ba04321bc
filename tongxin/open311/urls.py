"""Open311 GeoReport v2 (/open311/v2/): each resource in .json and .xml."""

from django.urls import path, register_converter

from tongxin.open311 import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CodeConverter:
    """A service code, request id or token: letters, digits, '-' and '_' (never a dot)."""

    regex = "[A-Za-z0-9_-]{1,40}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "georeport_format")
register_converter(CodeConverter, "georeport_code")

app_name = "open311"

urlpatterns = [
    path("discovery.<georeport_format:fmt>", views.discovery, name="discovery"),
    path("services.<georeport_format:fmt>", views.service_list, name="services"),
    path("services/<georeport_code:code>.<georeport_format:fmt>", views.service_definition, name="service"),
    path("requests.<georeport_format:fmt>", views.requests_view, name="requests"),
    path("requests/<georeport_code:code>.<georeport_format:fmt>", views.request_detail, name="request"),
    path("tokens/<georeport_code:token>.<georeport_format:fmt>", views.token_detail, name="token"),
]
