"""Pages of the work report (工作综述): read, download as .docx and PDF, edit the wording."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
